"""Pure distance helpers: the box inscribed in a search circle."""

import random

from bourse.geo.distance import haversine_km, inner_box


def test_every_point_of_the_inner_box_lies_within_the_radius():
    rng = random.Random(11)
    checked = 0
    for _ in range(3000):
        lat, lon = rng.uniform(-79, 79), rng.uniform(-179, 179)
        radius = rng.choice([1.0, 10.0, 50.0, 300.0, 1000.0])
        box = inner_box(lat, lon, radius)
        if box is None:
            continue
        min_lat, max_lat, min_lon, max_lon = box
        assert min_lat < lat < max_lat and min_lon < lon < max_lon
        for _ in range(20):
            a, b = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
            assert haversine_km(lat, lon, a, b) <= radius
            checked += 1
    assert checked > 50_000


def test_the_inner_box_covers_most_of_a_small_circle():
    min_lat, max_lat, min_lon, max_lon = inner_box(45.76, 4.83, 50.0)
    corners = [
        haversine_km(45.76, 4.83, a, b) for a in (min_lat, max_lat) for b in (min_lon, max_lon)
    ]
    assert all(46.0 < d <= 47.6 for d in corners)


def test_no_inner_box_near_the_poles_or_across_the_date_line():
    assert inner_box(85.0, 10.0, 50.0) is None
    assert inner_box(-79.9, 10.0, 50.0) is None
    assert inner_box(-17.0, 179.9, 50.0) is None
    assert inner_box(10.0, -179.9, 50.0) is None
    assert inner_box(0.1, 30.0, 200.0) is not None  # across the equator
