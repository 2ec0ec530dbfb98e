"""The chart's default image is the published one of its own release: ghcr.io/<owner>/azwi-webhook
at the chart's appVersion, which the release workflow sets from the tag."""
import yaml

from chart_render import container


def test_default_image_is_the_published_one_at_the_charts_app_version(objects, chart_dir):
    chart = yaml.safe_load((chart_dir / "Chart.yaml").read_text())
    assert chart["appVersion"] == f"v{chart['version']}"
    assert container(objects())["image"] == f"ghcr.io/azwi-webhook/azwi-webhook:{chart['appVersion']}"


def test_image_release_and_repository_override_the_default(objects):
    c = container(objects("image.repository=registry.example/azwi", "image.release=v9.9.9"))
    assert c["image"] == "registry.example/azwi:v9.9.9"
