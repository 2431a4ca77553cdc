from gpuadvisor.entry import main

main()
