"""Seeing the paths: pictures from Python, `kgcore path --svg`, `kgcore serve`'s API (bad,
oversized and 100 concurrent requests), and the explorer page in a real headless Chromium.

Screenshots of the page and one SVG are kept in $KGCORE_ARTIFACTS (default
/tmp/kgcore-artifacts), never committed."""

import concurrent.futures
import json
import os
import pathlib
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

import kgcore

ARTIFACTS = pathlib.Path(os.environ.get("KGCORE_ARTIFACTS", "/tmp/kgcore-artifacts"))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    work = tmp_path_factory.mktemp("explore")
    kgcore.generate(str(work / "kg.csv"), scale=0.02, seed=3)
    kgcore.import_files(str(work / "db"), [str(work / "kg.csv")])
    return work / "db"


@pytest.fixture(scope="module")
def pair(db):
    """Two nodes three hops apart with several shortest paths, and their path count."""
    with kgcore.open(str(db), read_only=True) as g:
        for s in range(0, 400, 7):
            for t in range(2000, 2600, 13):
                d, count, _ = g.all_shortest_paths(s, t, limit=0)
                if d == 3 and 4 <= count <= 40:
                    return s, t, count
    raise AssertionError("no pair found")


def drawn(svg):
    root = ET.fromstring(svg)
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "kg-node"]
    edges = [p for p in root.iter(f"{SVG}path") if p.get("class") == "kg-edge"]
    return root, nodes, edges


def test_pictures_from_python(db, pair, tmp_path):
    s, t, count = pair
    with kgcore.open(str(db), read_only=True) as g:
        _, _, paths = g.all_shortest_paths(s, t, limit=50)
        pic = g.draw_paths(s, t)
        assert isinstance(pic, kgcore.PathPicture)
        expected_nodes = {n for p in paths for n in p}
        expected_edges = {(p[i], p[i + 1]) for p in paths for i in range(len(p) - 1)}
        assert (pic.nodes, pic.edges) == (len(expected_nodes), len(expected_edges))
        root, nodes, edges = drawn(pic.svg)
        assert len(nodes) == pic.nodes and len(edges) == pic.edges
        assert {int(n.get("data-key")) for n in nodes} == expected_nodes
        assert f"{count} shortest path" in pic.caption and g.node(s)["name"] in pic.caption
        assert pic._repr_svg_() == pic.svg and pic.svg in pic._repr_html_()
        pic.save(str(tmp_path / "p.svg"))
        assert (tmp_path / "p.svg").read_text() == pic.svg
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pic.save(str(ARTIFACTS / "paths.svg"))
        # Sampled, k shortest, MedReason's names, constraints: the same drawing, other sets.
        assert g.draw_paths(s, t, sample=2, seed=1).caption.endswith("; 2 listed") or count == 2
        k = g.draw_paths(s, t, k=5)
        assert "5 shortest loopless paths" in k.caption
        names = g.draw_paths(g.node(s)["name"], g.node(t)["name"], medreason=True)
        assert names.nodes >= 2 and g.node(s)["name"].lower() in names.svg
        assert g.draw_paths(s, t, max_hops=1).caption.endswith("no path")
        with pytest.raises(TypeError):
            g.draw_paths(s, t, colour="red")
        with pytest.raises(KeyError):
            g.draw_paths(s, 10**8)
        with pytest.raises(OSError, match="no-such-folder"):
            pic.save(str(tmp_path / "no-such-folder" / "p.svg"))


def test_path_svg_from_the_cli(kgcore_cli, db, pair, tmp_path):
    s, t, _ = pair
    out = tmp_path / "cli.svg"
    r = subprocess.run([str(kgcore_cli), "path", "--db", str(db), str(s), str(t), "--all", "--svg", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert f"wrote {out}" in r.stderr
    _, nodes, _ = drawn(out.read_text())
    assert len(nodes) >= 5
    with kgcore.open(str(db), read_only=True) as g:
        assert out.read_text() == g.draw_paths(s, t, limit=1000).svg, "the CLI and Python draw the same picture"
    bad = subprocess.run([str(kgcore_cli), "path", "--db", str(db), str(s), str(t), "--svg", str(tmp_path / "no-such-folder" / "p.svg")], capture_output=True, text=True)
    assert bad.returncode == 1 and "no-such-folder" in bad.stderr and "panicked" not in bad.stderr


@pytest.fixture(scope="module")
def server(kgcore_cli, db):
    proc = subprocess.Popen([str(kgcore_cli), "serve", "--db", str(db), "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("kgcore serve: http://"), line + proc.stderr.read()
    url = line.split()[2].rstrip("/")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_a_port_in_use_is_an_error_naming_it(kgcore_cli, server, db):
    port = server.rsplit(":", 1)[1]
    r = subprocess.run([str(kgcore_cli), "serve", "--db", str(db), "--port", port], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and f"127.0.0.1:{port}" in r.stderr, r.stderr
    bad = subprocess.run([str(kgcore_cli), "serve", "--db", str(db), "--host", "not a host"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1 and "not a host" in bad.stderr


def get(url, path, **params):
    query = urllib.parse.urlencode(params, doseq=True)
    try:
        with urllib.request.urlopen(f"{url}{path}?{query}", timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_api_answers(server, db, pair):
    s, t, count = pair
    with kgcore.open(str(db), read_only=True) as g:
        name = g.node(s)["name"]
        status, body = get(server, "/api/search", q=name[:4], how="prefix")
        assert status == 200 and body["hits"] and all(h["name"].startswith(name[:4].lower()) for h in body["hits"])
        status, body = get(server, "/api/node", node=s)
        assert status == 200 and body["name"] == name and body["card"]["text"].startswith(name)
        status, body = get(server, "/api/paths", **{"from": s, "to": t, "kind": "all", "n": 50})
        assert status == 200 and body["count"] == str(count) and body["distance"] == 3
        assert sorted(body["paths"]) == sorted(g.all_shortest_paths(s, t, limit=50)[2])
        assert body["prompt"].startswith("1:") and len(body["labelled"]) == len(body["paths"])
        _, nodes, edges = drawn(body["svg"])
        assert (len(nodes), len(edges)) == (body["nodes"], body["edges"])
        status, body = get(server, "/api/paths", **{"from": s, "to": t, "kind": "all", "type": ["gene/protein"], "max_hops": 4})
        assert status == 200
        status, body = get(server, "/api/paths", **{"from": name, "to": g.node(t)["name"], "medreason": 1})
        assert status == 200 and body["prompt"].startswith("1:")
        status, body = get(server, "/api/neighbourhood", node=s, hops=1, max_nodes=20)
        assert status == 200 and body["nodes"][0]["index"] == s and len(body["nodes"]) <= 20
        status, body = get(server, "/api/common", a=s, b=t, op="union")
        assert status == 200 and body["size"] == g.set_size(s, t, op="union")


def test_bad_and_oversized_requests_get_json_errors(server):
    cases = [
        ("/api/paths", {"to": "1"}, 400, "missing argument \"from\""),
        ("/api/paths", {"from": "1", "to": "99999999"}, 404, "99999999"),
        ("/api/paths", {"from": "1", "to": "2", "n": "many"}, 400, "not a valid number"),
        ("/api/paths", {"from": "1", "to": "2", "n": "5000"}, 400, "at most 1000"),
        ("/api/paths", {"from": "1", "to": "2", "kind": "longest"}, 400, "kind"),
        ("/api/paths", {"from": "1", "to": "2", "type": "spaceship"}, 400, "spaceship"),
        ("/api/paths", {"from": "1", "to": "2", "medreason": "1", "type": "drug"}, 400, "max_hops only"),
        ("/api/search", {"q": "a", "how": "telepathy"}, 400, "how"),
        ("/api/neighbourhood", {"node": "1", "hops": "9"}, 400, "at most 3"),
        ("/api/common", {"a": "1", "b": "2", "op": "xor"}, 400, "xor"),
        ("/api/nothing", {}, 404, "no such"),
        ("/api/paths", {"from": "1", "to": "2", "q": "x" * 9000}, 414, "at most 8192"),
    ]
    for path, params, status, text in cases:
        got, body = get(server, path, **params)
        assert got == status and text in body.get("error", ""), (path, params, got, body)
    # Malformed percent-escapes are read as text, as browsers send them; one in a number is a 400.
    with urllib.request.urlopen(f"{server}/api/search?q=%ZZ%25%FF", timeout=10) as r:
        assert r.status == 200 and json.loads(r.read())["hits"] == []
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{server}/api/paths?from=1&to=2&n=%FF", timeout=10)
    assert e.value.code == 400 and "not a valid number" in json.loads(e.value.read())["error"]
    # A request line beyond what the server reads.
    try:
        urllib.request.urlopen(f"{server}/api/search?q={'y' * 200_000}", timeout=10)
        raise AssertionError("a 200 kB request line was answered")
    except urllib.error.HTTPError as err:
        assert 400 <= err.code < 500
    except (urllib.error.URLError, ConnectionError):
        pass  # the server may close the connection instead
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(urllib.request.Request(f"{server}/api/paths?from=1&to=2", data=b"x", method="POST"), timeout=10)
    assert e.value.code == 405
    assert get(server, "/api/node", node=1)[0] == 200, "the server is still up"


def test_one_hundred_concurrent_clients(server, pair):
    s, t, _ = pair
    with concurrent.futures.ThreadPoolExecutor(100) as pool:
        answers = list(pool.map(lambda i: get(server, "/api/paths", **{"from": s, "to": t, "kind": "sample", "n": 5, "seed": i % 3}), range(100)))
    assert all(status == 200 for status, _ in answers)
    by_seed = {}
    for i, (_, body) in enumerate(answers):
        by_seed.setdefault(i % 3, set()).add(json.dumps(body["paths"]))
    assert all(len(v) == 1 for v in by_seed.values()), "the same request gets the same answer under load"


def chromium():
    for browser, driver in [("chromium", "chromedriver"), ("chromium", "chromium-driver")]:
        if shutil.which(browser) and shutil.which(driver):
            return shutil.which(browser), shutil.which(driver)
    return None


@pytest.mark.skipif(chromium() is None, reason="Debian's chromium and chromium-driver are not installed (scripts/test.sh installs them)")
def test_the_explorer_page_in_a_real_browser(server, db, pair):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    browser, driver = chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"]:
        options.add_argument(arg)
    web = webdriver.Chrome(service=Service(driver), options=options)
    s, t, count = pair
    try:
        with kgcore.open(str(db), read_only=True) as g:
            names = g.node(s)["name"], g.node(t)["name"]
        web.get(server)
        wait = WebDriverWait(web, 20)
        for field, name, index in [("from", names[0], s), ("to", names[1], t)]:
            web.find_element(By.ID, field).send_keys(name)
            pick = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"#{field}-list li[data-node='{index}']")))
            pick.click()
            assert web.find_element(By.ID, field).get_attribute("data-node") == str(index)
        web.find_element(By.ID, "draw").click()
        wait.until(lambda w: w.find_element(By.TAG_NAME, "body").get_attribute("data-drawn"))
        nodes, edges = map(int, web.find_element(By.TAG_NAME, "body").get_attribute("data-drawn").split(":"))
        _, expected = get(server, "/api/paths", **{"from": s, "to": t, "kind": "all", "n": 20})
        assert (nodes, edges) == (expected["nodes"], expected["edges"])
        assert len(web.find_elements(By.CSS_SELECTOR, "#picture g.kg-node")) == nodes
        assert len(web.find_elements(By.CSS_SELECTOR, "#picture path.kg-edge")) == edges
        assert web.find_element(By.ID, "prompt").text.startswith("1:")
        # Copying the prompt lines: to the clipboard, or selected for Ctrl-C where the browser refuses.
        web.find_element(By.ID, "copy").click()
        wait.until(lambda w: w.find_element(By.ID, "copied").text in ("copied", "selected: press Ctrl-C"))
        # A node's card on click.
        web.find_elements(By.CSS_SELECTOR, "#picture g.kg-node")[0].click()
        wait.until(lambda w: w.find_element(By.TAG_NAME, "body").get_attribute("data-card"))
        assert web.find_element(By.ID, "card").text.strip()
        # MedReason's view of the same pair.
        web.find_element(By.ID, "medreason").click()
        web.find_element(By.ID, "draw").click()
        wait.until(lambda w: "→" in w.find_element(By.ID, "caption").text and w.find_element(By.ID, "caption").text.startswith(names[0].lower()))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        web.save_screenshot(str(ARTIFACTS / "explorer.png"))
        assert (ARTIFACTS / "explorer.png").stat().st_size > 10_000
        # One drawing on its own, as a file opens in the browser.
        with kgcore.open(str(db), read_only=True) as g:
            g.draw_paths(s, t, limit=20).save(str(ARTIFACTS / "drawing.svg"))
        web.get((ARTIFACTS / "drawing.svg").as_uri())
        assert len(web.find_elements(By.CSS_SELECTOR, "g.kg-node")) == nodes
        web.save_screenshot(str(ARTIFACTS / "drawing.png"))
    finally:
        web.quit()
