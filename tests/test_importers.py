"""`catalog import`: real SkyPilot vms.csv excerpts (tests/fixtures/imports, origin in
ORIGIN-skypilot.md) and a real gpuhunt catalog (gpuhunt-lium.csv: gpuhunt's own code over an API
response its authors recorded; ORIGIN-gpuhunt-lium.md). The SYNTHETIC gpuhunt fixture, gpuhunt's own
test rows from src/tests/scripts/test_catalog_v1.py, covers the older column layout
(ORIGIN-gpuhunt.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gpuadvisor.catalog.importers import import_csv

FIX = Path(__file__).parent / "fixtures" / "imports"


def imported(fmt, name, cloud, pid=None):
    return import_csv(fmt, (FIX / name).read_text(), source=name, provider_id=pid or cloud, cloud=cloud, as_of="2026-11-23")


@pytest.fixture
def user_catalogs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    from gpuadvisor import catalog

    catalog._CACHE.clear()
    return tmp_path / "cfg" / "gpuadvisor" / "catalogs"


def test_lambda_excerpt_maps_every_gpu_with_its_form_factor():
    imp = imported("skypilot", "skypilot-lambda-vms.csv", "lambda")
    assert imp.offerings == 13 and imp.unmapped == {} and imp.skipped == {}
    assert 'name = "gpu_1x_h100_pcie"\ngpu = "h100-pcie"' in imp.toml
    assert 'name = "gpu_1x_h100_sxm5"\ngpu = "h100-sxm"' in imp.toml
    assert 'name = "gpu_8x_a100_80gb_sxm4"\ngpu = "a100-80gb-sxm"\nfixed_count = 8' in imp.toml
    assert 'name = "gpu_8x_v100"\ngpu = "v100-16gb"' in imp.toml


def test_runpod_excerpt_reads_gb_in_sizeinmib_and_keeps_spot_and_regions():
    imp = imported("skypilot", "skypilot-runpod-vms.csv", "runpod", "runpod-pods")
    assert imp.unmapped == {}
    block = imp.toml.split('name = "1x_A100-80GB_SECURE"')[1].split("[[offering]]")[0]
    assert 'gpu = "a100-80gb-pcie"' in block and 'regions = ["CA", "US"]' in block
    assert "per_hour = 1.64" in block and 'per_hour = 0.82, as_of = "2026-11-23", basis = "spot"' in block
    assert 'gpu = "h100-nvl"' in imp.toml and 'gpu = "rtx-4000-ada"' in imp.toml


def test_gcp_gpu_machine_types_carry_their_gpus_at_host_plus_gpu_prices():
    # review of #14: a2/a3 VMs came out as CPU-only VMs at their host price. SkyPilot lists GCP's host
    # VM and its GPUs as separate rows and joins them (gcp_catalog._ACC_INSTANCE_TYPE_DICTS); so do we.
    imp = imported("skypilot", "skypilot-gcp-vms.csv", "gcp")
    assert imp.offerings == 10
    assert 'name = "a2-highgpu-1g"' in imp.toml and 'gpu = "a100-40gb"' in imp.toml
    assert "per_hour = 3.67339," in imp.toml  # 0.73948 host + 2.93391 for one A100, GCP's $3.67/h
    assert 'name = "a2-ultragpu-1g"' in imp.toml and 'gpu = "a100-80gb-sxm"' in imp.toml
    # the a3 VMs (us-central1) have no H100 price in their zone in this excerpt (only asia-northeast1)
    assert imp.skipped["GPU machine types whose GPUs have no price in the same zone (GCP prices them apart)"] == 2
    assert 'name = "a3-highgpu-1g"' not in imp.toml and 'name = "a3-edgegpu-8g"' not in imp.toml
    assert sum(n for why, n in imp.skipped.items() if "without an instance type" in why) == 18


def test_unmapped_names_are_counted_never_guessed():
    text = (FIX / "skypilot-lambda-vms.csv").read_text() + \
        'gpu_1x_rtx6000,RTX6000,1.0,14.0,46.0,0.5,us-south-1,,\ngpu_1x_gh200,GH200,1.0,64.0,432.0,1.49,us-east-3,,\n'
    imp = import_csv("skypilot", text, source="t", provider_id="lambda", cloud="lambda", as_of="2026-11-23")
    assert imp.unmapped == {"RTX6000 (Quadro RTX 6000 (Turing, 24 GB), not the RTX 6000 Ada)": 1, "GH200": 1}
    assert "gpu_1x_rtx6000" not in imp.toml


def test_gpuhunt_layout_synthetic_rows():
    imp = imported("gpuhunt", "gpuhunt-format-example-SYNTHETIC.csv", "lambda", "hunt")
    assert imp.offerings == 4 and 'written = "A10:8"' in imp.toml and 'backends: [lambda]' in imp.toml


@pytest.mark.parametrize("text,words", [
    ("a,b\n1,2\n", "missing column(s) InstanceType"),
    ("InstanceType,AcceleratorName,AcceleratorCount,Region,Price\nx,H100,1,us,abc\n", "Price 'abc' is not a number"),
    ("InstanceType,AcceleratorName,AcceleratorCount,Region,Price\nx,H100,1,us,2,extra\n", "more cells than the header"),
])
def test_malformed_csv_is_one_error_line(tmp_path, run, user_catalogs, text, words):
    (tmp_path / "vms.csv").write_text(text)
    result = run("catalog", "import", "skypilot", str(tmp_path / "vms.csv"), "--cloud", "acme", code=2)
    assert words in result.stderr and result.stderr.count("\n") == 1
    assert not user_catalogs.exists() or not list(user_catalogs.iterdir())


def test_import_gives_a_provider_for_every_command(tmp_path, run, user_catalogs):
    src = tmp_path / "lambda"
    src.mkdir()
    shutil.copy(FIX / "skypilot-lambda-vms.csv", src / "vms.csv")
    data = run.json("catalog", "import", "skypilot", str(src / "vms.csv"))
    assert data["provider"] == "lambda" and data["offerings"] == 13
    assert (user_catalogs / "lambda.toml").exists()
    assert {o["name"] for o in run.json("list", "--provider", "lambda")} >= {"gpu_1x_a10", "gpu_8x_v100"}
    assert run.json("show", "gpu_8x_v100")["gpu"]["id"] == "v100-16gb"
    tr = run.json("translate", "modal", "lambda", "H100:2")
    assert tr["config"] == "instance_type: gpu_2x_h100_sxm5" and tr["match"] == "exact"
    assert tr["snippet"] == "resources:\n  cloud: lambda\n  instance_type: gpu_2x_h100_sxm5"
    rec = run.json("recommend", "--vram", "70", "-w", "llm", "-p", "lambda")
    assert rec["recommendations"][0]["provider"] == "lambda"
    regional = run.json("list", "--region", "europe-central-1")
    assert {o["name"] for o in regional} == {"gpu_1x_a6000", "gpu_1x_h100_sxm5", "gpu_4x_h100_sxm5"}
    assert run("list", "--region", "mars-1", code=2).stderr.count("\n") == 1
    run.json("compare", "v100-16gb", "gpu_1x_a10")
    # a second import refuses to replace the file and says what is there
    again = run("catalog", "import", "skypilot", str(src / "vms.csv"), code=2)
    assert "exists (provider lambda, 13 offering(s))" in again.stderr and "--force" in again.stderr
    assert run.json("catalog", "import", "skypilot", str(src / "vms.csv"), "--force")["replaced"]


def test_a_builtin_id_is_refused(tmp_path, run, user_catalogs):
    shutil.copy(FIX / "skypilot-runpod-vms.csv", tmp_path / "runpod.csv")
    result = run("catalog", "import", "skypilot", str(tmp_path / "runpod.csv"), code=2)
    assert "built-in provider" in result.stderr and "--id runpod-pods" in result.stderr
    assert run.json("catalog", "import", "skypilot", str(tmp_path / "runpod.csv"), "--id", "runpod-pods")["offerings"] == 15


def test_a_real_gpuhunt_catalog_gives_a_provider_for_every_command(tmp_path, run, user_catalogs):
    # gpuhunt-lium.csv: gpuhunt 0.1.34's own Lium provider and catalog writer over the API response its
    # authors recorded (2026-09-10); origin in ORIGIN-gpuhunt-lium.md. price is per instance there.
    shutil.copy(FIX / "gpuhunt-lium.csv", tmp_path / "lium.csv")
    result = run("catalog", "import", "gpuhunt", str(tmp_path / "lium.csv"), "--id", "lium")
    assert "Imported 7 offering(s) as provider lium" in result.stdout
    assert "Skipped 1 spot-only rows" in result.stdout  # the 1×RTX 5090 in us-mn is spot only
    offerings = {o["name"]: o for o in run.json("list", "--provider", "lium")}
    h200x2 = offerings["f092246d-5704-4c9e-b57f-7c0710a06deb-2"]
    assert h200x2["gpu"] == "h200" and h200x2["price"]["per_hour"] == pytest.approx(7.98 / 2)
    assert offerings["6780e503-6861-4dca-bdec-ca9dcf37e8d0"]["price"]["per_hour"] == pytest.approx(9.84 / 8)
    assert run.json("show", "6780e503-6861-4dca-bdec-ca9dcf37e8d0")["gpu"]["id"] == "a100-80gb-sxm"
    tr = run.json("translate", "modal", "lium", "H200:2")
    assert tr["match"] == "exact" and tr["target"]["options"][0]["name"] == "f092246d-5704-4c9e-b57f-7c0710a06deb-2"
    rec = run.json("recommend", "--vram", "100", "-w", "llm", "-p", "lium")
    assert rec["recommendations"][0]["gpu"] == "h200"


def test_the_cloud_comes_from_the_directory_even_for_a_bare_file_name(tmp_path, run, user_catalogs, monkeypatch):
    # review of #14: `cd lambda && catalog import skypilot vms.csv` gave "provider id ''"
    (tmp_path / "lambda").mkdir()
    shutil.copy(FIX / "skypilot-lambda-vms.csv", tmp_path / "lambda" / "vms.csv")
    monkeypatch.chdir(tmp_path / "lambda")
    assert run.json("catalog", "import", "skypilot", "vms.csv")["provider"] == "lambda"


def test_a_bare_vms_csv_url_is_one_error_line(run, user_catalogs, monkeypatch):
    import gpuadvisor.catalog.update as update

    monkeypatch.setattr(update, "fetch", lambda url, cap: (FIX / "skypilot-lambda-vms.csv").read_bytes())
    result = run("catalog", "import", "skypilot", "--from-url", "https://example.com/vms.csv", code=2)
    assert "cannot tell the cloud from 'https://example.com/vms.csv': give --cloud NAME" in result.stderr
    data = run.json("catalog", "import", "skypilot", "--from-url", "https://example.com/catalogs/v8/lambda/vms.csv")
    assert data["provider"] == "lambda"
