"""The generator's web page: the HTTP API, its refusals, a load test, the CLI and a real browser."""

import concurrent.futures
import http.client
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest
import tensorflow as tf
from helpers import stop, tiny_networks
from PIL import Image

from keras_gans import cli, export, grids, serve

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """A conditional and an unconditional export of tiny untrained generators."""
    folder = tmp_path_factory.mktemp("serve")
    written = {}
    for name, conditional in (("conditional", True), ("unconditional", False)):
        generator, _ = tiny_networks(conditional=conditional)
        written[name] = export.export_generator(
            generator, folder / name / "generator", metadata={"objective": name, "epoch": 3, "dataset": "mnist"}
        )
    (folder / "conditional" / "evaluation.json").write_text(
        json.dumps(
            {
                "generator": {
                    "frechet_distance": 5.5,
                    "mean_confidence": 0.9,
                    "coverage": 0.8,
                    "min_class_fraction": 0.09,
                    "label_accuracy": 0.95,
                }
            }
        )
    )
    return written


def start_server(export_dir):
    server = serve.make_server(serve.GeneratorService(export_dir), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def servers(exports):
    """One running server per export: {name: (host, port)}."""
    running = {name: start_server(path) for name, path in exports.items()}
    yield {name: server.server_address[:2] for name, (server, _) in running.items()}
    for server, thread in running.values():
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def request(address, path, method="GET"):
    """(status, content type, body) of one request, sent with the path exactly as given."""
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def png_pixels(body):
    return np.asarray(Image.open(io.BytesIO(body)))


def test_info_tells_the_generator_and_its_quality(servers):
    status, content_type, body = request(servers["conditional"], "/api/info")
    assert status == 200 and content_type == "application/json"
    info = json.loads(body)
    assert info["metadata"]["conditional"] is True and info["metadata"]["num_classes"] == 10
    assert info["metadata"]["objective"] == "conditional" and info["metadata"]["epoch"] == 3
    assert info["evaluation"]["generator"]["frechet_distance"] == 5.5
    assert json.loads(request(servers["unconditional"], "/api/info")[2])["evaluation"] is None


def test_the_service_loads_its_export_once(exports, monkeypatch):
    loaded = []
    load = tf.saved_model.load

    def counting_load(path, *args, **kwargs):
        loaded.append(path)
        return load(path, *args, **kwargs)

    monkeypatch.setattr(tf.saved_model, "load", counting_load)
    service = serve.GeneratorService(exports["unconditional"])
    assert loaded == [str(exports["unconditional"])]
    assert service.metadata["objective"] == "unconditional"


def test_sample_is_the_grid_the_sample_command_draws(servers, exports, tmp_path):
    status, content_type, body = request(servers["conditional"], "/api/sample?n=20&seed=7&label=3")
    assert status == 200 and content_type == "image/png"
    grid = tmp_path / "grid.png"
    sample_args = ["sample", str(exports["conditional"]), "--n", "20", "--seed", "7", "--label", "3"]
    assert cli.main([*sample_args, "--out", str(grid)]) == 0
    np.testing.assert_array_equal(png_pixels(body), np.asarray(Image.open(grid)))
    # 20 images: 4 rows of 5 columns.
    assert png_pixels(body).shape == grids.grid_pixel_size((28, 28), 4, 5)
    # Another seed, other images; the same seed, the same ones.
    assert request(servers["conditional"], "/api/sample?n=20&seed=8&label=3")[2] != body
    assert request(servers["conditional"], "/api/sample?n=20&seed=7&label=3")[2] == body


def test_one_row_per_digit_puts_digit_k_on_row_k(servers, exports):
    body = request(servers["conditional"], "/api/sample?n=30&seed=1&view=digits")[2]
    pixels = png_pixels(body)
    assert pixels.shape == grids.grid_pixel_size((28, 28), 10, 3)
    sample, _ = export.load_exported_sampler(exports["conditional"])
    images = sample(30, 1)  # classes 0, 1, ..., 9, 0, 1, ...
    rows = [images[[k, k + 10, k + 20]] for k in range(10)]
    expected = grids.make_image_grid(np.concatenate(rows), nrows=10, ncols=3)
    np.testing.assert_array_equal(pixels, expected[..., 0])


def test_interpolation_is_a_strip_from_one_seed_to_the_other(servers, exports):
    status, content_type, body = request(servers["unconditional"], "/api/interpolate?from=3&to=4&steps=5")
    assert status == 200 and content_type == "image/png"
    pixels = png_pixels(body)
    assert pixels.shape == grids.grid_pixel_size((28, 28), 1, 5)
    generate, metadata = export.load_exported_generator(exports["unconditional"])
    signature = serve.GeneratorSignature.from_metadata(metadata)
    ends = np.concatenate([signature.draw_z(1, 3), signature.draw_z(1, 4)])
    ends_strip = grids.make_image_grid(generate(ends), nrows=1, ncols=2)[..., 0]
    tile = 2 + 28 * 2  # padding and one image at scale 2
    # Batches of 5 and of 2 may round a matrix product differently: allow one grey level.
    first, last = (
        np.abs(pixels[:, cut].astype(int) - ends_strip[:, cut]).max() for cut in (slice(0, tile), slice(-tile, None))
    )
    assert first <= 1 and last <= 1  # starts at seed 3's image, ends at seed 4's
    assert np.abs(pixels[:, tile : 2 * tile].astype(int) - ends_strip[:, :tile]).max() > 1  # and moves between


@pytest.mark.parametrize(
    "name,path,message",
    [
        ("unconditional", "/api/sample?n=0", "n must be in 1..400, received n=0"),
        ("unconditional", "/api/sample?n=401", "n must be in 1..400, received n=401"),
        ("unconditional", "/api/sample?n=ten", "n must be an integer, received n='ten'"),
        ("unconditional", "/api/sample?seed=-1", "seed must be in 0..9223372036854775807, received seed=-1"),
        ("unconditional", "/api/sample?seed=1.5", "seed must be an integer, received seed='1.5'"),
        ("unconditional", "/api/sample?label=3", "this generator is unconditional; received label='3'"),
        ("conditional", "/api/sample?label=10", "label must be in 0..9, received label=10"),
        ("conditional", "/api/sample?view=digits&n=25", "view=digits needs n a multiple of 10, received n=25"),
        ("unconditional", "/api/sample?size=3", "unknown parameter 'size'"),
        ("unconditional", "/api/sample?n=2&n=3", "n given 2 times"),
        ("unconditional", "/api/interpolate?steps=1", "steps must be in 2..32, received steps=1"),
        ("unconditional", "/api/interpolate?steps=33", "steps must be in 2..32, received steps=33"),
        ("unconditional", "/api/interpolate?from=x", "from must be an integer, received from='x'"),
        ("conditional", "/api/interpolate?label=-1", "label must be in 0..9, received label=-1"),
    ],
)
def test_bad_input_is_400_with_a_one_line_json_error(servers, name, path, message):
    status, content_type, body = request(servers[name], path)
    assert status == 400 and content_type == "application/json"
    error = json.loads(body)["error"]
    assert message in error and "\n" not in error
    assert request(servers[name], "/api/sample?n=1")[0] == 200  # still serving


@pytest.mark.parametrize(
    "path",
    [
        "/api/nothing",
        "/generator.json",
        "/../keras_gans/serve.py",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "//etc/passwd",
        "/page/index.html",
        "/saved_model.pb",
    ],
)
def test_nothing_but_the_page_and_the_api_is_served(servers, path):
    status, content_type, body = request(servers["unconditional"], path)
    assert status == 404 and content_type == "application/json"
    assert "no such page" in json.loads(body)["error"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
def test_methods_other_than_get_are_405(servers, method):
    status, _, _ = request(servers["unconditional"], "/api/sample", method=method)
    assert status == 405


def test_page_is_served_offline(servers):
    status, content_type, body = request(servers["unconditional"], "/")
    assert status == 200 and content_type.startswith("text/html")
    page = body.decode()
    assert "/api/sample" in page and "/api/interpolate" in page
    assert "http://" not in page and "https://" not in page  # no CDN, nothing fetched from elsewhere


def test_200_requests_from_8_threads_all_succeed(servers):
    paths = [
        f"/api/sample?n=16&seed={i}" if i % 2 else f"/api/interpolate?from={i}&to={i + 1}&steps=4" for i in range(200)
    ]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda path: request(servers["unconditional"], path)[0], paths))
    assert statuses == [200] * 200


def test_cli_serves_until_ctrl_c(exports):
    process = subprocess.Popen(
        [sys.executable, "-m", "keras_gans", "serve", str(exports["unconditional"]), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    try:
        line = process.stdout.readline()  # "Serving ... at http://127.0.0.1:PORT/ (Ctrl-C stops)"
        assert "http://127.0.0.1:" in line, line + process.stderr.read()
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        status, _, body = request(("127.0.0.1", port), "/api/info")
        assert status == 200 and json.loads(body)["metadata"]["objective"] == "unconditional"
        process.send_signal(signal.SIGINT)
        out, errors = process.communicate(timeout=60)
        assert process.returncode == 0, errors
        assert "stopped" in out and "Traceback" not in errors
    finally:
        stop(process)


def test_cli_refuses_a_missing_export_in_one_line(tmp_path, capsys, monkeypatch):
    def refuse_to_serve(*args):  # a server would block this test for ever
        raise AssertionError("serve started a server for a folder without an export")

    monkeypatch.setattr(serve, "make_server", refuse_to_serve)
    assert cli.main(["serve", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == f"error: no exported generator (saved_model.pb) in {tmp_path}"


def find_chromium():
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError(f"no Chromium found (tried {', '.join(CHROMIUM_NAMES)}): apt-get install chromium")


def run_chromium(*arguments, cwd):
    command = [
        find_chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={cwd / 'profile'}",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=cwd)


def test_a_real_browser_draws_the_page_and_moves_the_slider(servers, tmp_path):
    host, port = servers["conditional"]
    url = f"http://{host}:{port}/#selftest"
    # The page moves its own slider once the grid and the strip have loaded,
    # then records the outcome, and any JavaScript error, on <body>.
    dom = run_chromium("--virtual-time-budget=30000", "--dump-dom", url, cwd=tmp_path).stdout
    assert 'data-selftest="passed grid ' in dom, dom[-3000:]
    assert "data-errors" not in dom, dom[-3000:]
    screenshot = tmp_path / "page.png"
    run_chromium(
        "--virtual-time-budget=30000", "--window-size=1200,1400", f"--screenshot={screenshot}", url, cwd=tmp_path
    )
    with Image.open(screenshot) as picture:
        assert picture.size == (1200, 1400)
        pixels = np.asarray(picture.convert("L"))
    # The grid (580 x 580 pixels) and the strip are grey noise from this untrained generator;
    # the text alone leaves the white page more than 97 % white.
    assert (pixels < 200).mean() > 0.15
