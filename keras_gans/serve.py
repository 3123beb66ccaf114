"""A local web page for an exported generator, served from the SavedModel alone.

`python -m keras_gans serve RUN/generator` loads the export with
`tf.saved_model.load` (no Keras model code: it proves the export is servable
as it is) and serves, until Ctrl-C:

- `GET /`: the page (`keras_gans/page/index.html`, one file, no CDN): a
  grid of samples for a seed, latent interpolation between two seeds, the
  generator's facts and, when the run folder has `evaluation.json`, its
  quality figures.
- `GET /api/info`: those facts as JSON.
- `GET /api/sample?n=&seed=&label=&view=`: a PNG grid of `n` samples, the
  same images as `python -m keras_gans sample RUN/generator --n N --seed S`.
- `GET /api/interpolate?from=&to=&steps=&label=`: a PNG strip of `steps`
  images along the great circle between the z of two seeds (`slerp`).

Bad input gets `400` and a one-line JSON error, unknown paths `404`, other
methods than GET `405`; the server keeps serving. Only the page and the API
are served: no request reaches the file system, so `..` cannot escape.
"""

from __future__ import annotations

import io
import json
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
from PIL import Image

from keras_gans import export, grids
from keras_gans.metrics.diagnostics import slerp
from keras_gans.signature import GeneratorSignature

MAX_SAMPLES = 400  # a 20x20 grid: larger requests would tie up the server
MIN_STEPS, MAX_STEPS = 2, 32
MAX_SEED = 2**63 - 1  # the export's `sample` signature takes an int64 seed
EVALUATION_FILENAME = "evaluation.json"  # written by `evaluate` beside the export


class BadRequest(ValueError):
    """A request the API refuses with 400; the message names the problem."""


def _png(picture: np.ndarray) -> bytes:
    """PNG bytes of a uint8 `(height, width, 1 or 3)` picture."""
    buffer = io.BytesIO()
    Image.fromarray(picture[..., 0] if picture.shape[-1] == 1 else picture).save(buffer, format="PNG")
    return buffer.getvalue()


class GeneratorService:
    """An exported generator behind the page's API: loaded once, asked many times.

    Safe to call from several threads: each request runs the SavedModel's
    concrete functions, which keep no state between calls.

    Args:
        export_dir: folder written by `export_generator` (`RUN/generator`).
    """

    def __init__(self, export_dir: str | Path):
        self.export_dir = Path(export_dir)
        # Grids come from the export's `sample` signature (the images of the
        # `sample` command), interpolations from `serving_default` (given z).
        exported = export.ExportedGenerator(self.export_dir)
        self._sample, self._generate = exported.sample, exported.generate
        self.metadata, self.signature = exported.metadata, exported.signature
        evaluation_path = self.export_dir.resolve().parent / EVALUATION_FILENAME
        self.evaluation = json.loads(evaluation_path.read_text()) if evaluation_path.is_file() else None

    def info(self) -> dict:
        """What the page shows about the generator, and the API's limits."""
        return {
            "metadata": self.metadata,
            "evaluation": self.evaluation,
            "limits": {"max_samples": MAX_SAMPLES, "min_steps": MIN_STEPS, "max_steps": MAX_STEPS},
        }

    def sample_png(self, n: int, seed: int, label: int | None = None, view: str = "grid") -> bytes:
        """A PNG grid of `n` samples for `seed`.

        `view="grid"` tiles them as square as possible, row by row (a
        conditional generator cycles the classes when `label` is None).
        `view="digits"` (conditional generators, no `label`) puts class r on
        row r: `n` must then be a multiple of the number of classes.
        """
        images = self._sample(n, seed, label)
        if view == "digits":
            classes = self.signature.num_classes
            # Image i has class i % classes: a stable sort by class groups them.
            order = np.argsort(np.arange(n) % classes, kind="stable")
            return _png(grids.make_image_grid(images[order], nrows=classes, ncols=n // classes))
        return _png(grids.make_image_grid(images))

    def interpolate_png(self, seed_from: int, seed_to: int, steps: int, label: int | None = None) -> bytes:
        """A PNG strip of `steps` images from the z of `seed_from` to that of `seed_to`.

        A conditional generator draws class `label` (default 0) all along.
        """
        z_from = self.signature.draw_z(1, seed_from, dtype=np.float64)[0]
        z_to = self.signature.draw_z(1, seed_to, dtype=np.float64)[0]
        if seed_from == seed_to:
            path = np.repeat(z_from[None], steps, axis=0)
        else:
            path = slerp(z_from, z_to, np.linspace(0.0, 1.0, steps))
            # Exactly the two seeds' z at the ends, not their rounding through sines.
            path[0], path[-1] = z_from, z_to
        if self.signature.conditional and label is None:
            label = 0  # one class all along the strip, so only z changes
        labels = self.signature.labels(steps, label)
        images = self._generate(path.astype(np.float32), labels)
        return _png(grids.make_image_grid(images, nrows=1, ncols=steps))


# ----------------------------------------------------------------------
# Query parsing: every rule of the API in one place
# ----------------------------------------------------------------------


def _integer(query: dict, name: str, default: int | None, low: int, high: int) -> int | None:
    values = query.get(name)
    if values is None:
        return default
    text = values[0]
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, received {name}={text!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be in {low}..{high}, received {name}={value}")
    return value


def _check_query(query: dict, allowed: tuple[str, ...]) -> None:
    for name, values in query.items():
        if name not in allowed:
            raise BadRequest(f"unknown parameter {name!r}; this endpoint takes {', '.join(allowed)}")
        if len(values) > 1:
            raise BadRequest(f"{name} given {len(values)} times; give it once")


def _label(query: dict, signature: GeneratorSignature) -> int | None:
    if not signature.conditional:
        if "label" in query:
            raise BadRequest(f"this generator is unconditional; received label={query['label'][0]!r}")
        return None
    return _integer(query, "label", None, 0, signature.num_classes - 1)


def sample_request(query: dict, signature: GeneratorSignature) -> dict:
    """Checked arguments of `GeneratorService.sample_png` from a parsed query."""
    _check_query(query, ("n", "seed", "label", "view"))
    n = _integer(query, "n", 100, 1, MAX_SAMPLES)
    seed = _integer(query, "seed", 0, 0, MAX_SEED)
    label = _label(query, signature)
    view = query.get("view", ["grid"])[0]
    if view not in ("grid", "digits"):
        raise BadRequest(f"view must be grid or digits, received view={view!r}")
    if view == "digits":
        if not signature.conditional or label is not None:
            raise BadRequest("view=digits needs a conditional generator and no label")
        if n % signature.num_classes:
            raise BadRequest(f"view=digits needs n a multiple of {signature.num_classes}, received n={n}")
    return {"n": n, "seed": seed, "label": label, "view": view}


def interpolate_request(query: dict, signature: GeneratorSignature) -> dict:
    """Checked arguments of `GeneratorService.interpolate_png` from a parsed query."""
    _check_query(query, ("from", "to", "steps", "label"))
    return {
        "seed_from": _integer(query, "from", 0, 0, MAX_SEED),
        "seed_to": _integer(query, "to", 1, 0, MAX_SEED),
        "steps": _integer(query, "steps", 8, MIN_STEPS, MAX_STEPS),
        "label": _label(query, signature),
    }


# ----------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------


def page_html() -> bytes:
    """The page, read from the package."""
    return resources.files("keras_gans").joinpath("page/index.html").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    """Routes GET requests to the service; everything else is refused."""

    service: GeneratorService  # set by `make_server` on a subclass
    page: bytes
    server_version = "keras_gans"

    def do_GET(self):  # noqa: N802  (the name http.server looks for)
        url = urlsplit(self.path)
        try:
            query = parse_qs(url.query, keep_blank_values=True, strict_parsing=False)
            if url.path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", self.page)
            elif url.path == "/api/info":
                self._send_json(HTTPStatus.OK, self.service.info())
            elif url.path == "/api/sample":
                arguments = sample_request(query, self.service.signature)
                self._send(HTTPStatus.OK, "image/png", self.service.sample_png(**arguments))
            elif url.path == "/api/interpolate":
                arguments = interpolate_request(query, self.service.signature)
                self._send(HTTPStatus.OK, "image/png", self.service.interpolate_png(**arguments))
            else:
                self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {url.path}"})
        except BadRequest as error:
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a newer image was asked for)
        except Exception as error:  # noqa: BLE001  (one failed request must not stop the server)
            message = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            print(f"error answering {self.path}: {message}", file=sys.stderr)
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": message})

    def _refuse_method(self):
        self._send_json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"method {self.command} not allowed; use GET"})

    def __getattr__(self, name: str):
        # http.server answers request method M with do_M, or 501 when there
        # is none: every method but GET gets 405 instead.
        if name.startswith("do_"):
            return self._refuse_method
        raise AttributeError(name)

    def _send_json(self, status: HTTPStatus, payload: dict) -> None:
        self._send(status, "application/json", json.dumps(payload, default=float).encode())

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002  (http.server's signature)
        """Quiet: the terminal shows the URL and errors, not every request."""


def make_server(service: GeneratorService, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A threaded HTTP server for `service`; port 0 picks a free port.

    Raises:
        OSError: naming the address when it cannot be bound (port in use).
    """
    handler = type("Handler", (_Handler,), {"service": service, "page": page_html()})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise OSError(f"cannot serve on {host}:{port} ({error.strerror or error})") from error
    server.daemon_threads = True
    return server


def server_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"


__all__ = [
    "BadRequest",
    "GeneratorService",
    "MAX_SAMPLES",
    "interpolate_request",
    "make_server",
    "sample_request",
    "server_url",
]
