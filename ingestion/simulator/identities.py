"""Synthetic personal data: names, phone numbers, ID and bank-card numbers, cities.

Every value is generated, never real; formats are valid (ID checksum, Luhn) so that the PII
protection downstream meets what it would meet in production.
"""

from __future__ import annotations

import numpy as np

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
                "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚"
             "桂华建国志红玉梅文辉鹏飞宇浩然子轩思雨欣怡")
MOBILE_PREFIXES = np.array(
    [130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158, 159,
     166, 173, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 198, 199]
)

# city, tier, province code for ID numbers, latitude, longitude
CITIES = [
    ("北京", 1, "110101", 39.904, 116.407), ("上海", 1, "310101", 31.230, 121.474),
    ("广州", 1, "440103", 23.129, 113.264), ("深圳", 1, "440303", 22.543, 114.058),
    ("成都", 2, "510104", 30.573, 104.066), ("杭州", 2, "330102", 30.274, 120.155),
    ("武汉", 2, "420102", 30.593, 114.305), ("西安", 2, "610102", 34.341, 108.940),
    ("南京", 2, "320102", 32.060, 118.797), ("长沙", 2, "430102", 28.228, 112.939),
    ("郑州", 2, "410102", 34.747, 113.625), ("合肥", 2, "340102", 31.821, 117.227),
    ("洛阳", 3, "410302", 34.619, 112.454), ("赣州", 3, "360702", 25.831, 114.935),
    ("绵阳", 3, "510703", 31.468, 104.679), ("襄阳", 3, "420602", 32.009, 112.122),
    ("柳州", 3, "450202", 24.326, 109.416), ("岳阳", 3, "430602", 29.357, 113.129),
    ("曲靖", 3, "530302", 25.490, 103.796), ("南阳", 3, "411302", 32.991, 112.528),
    ("商丘", 4, "411402", 34.415, 115.656), ("周口", 4, "411602", 33.626, 114.697),
    ("邵阳", 4, "430502", 27.239, 111.468), ("达州", 4, "511702", 31.209, 107.468),
    ("六安", 4, "341502", 31.735, 116.523), ("天水", 4, "620502", 34.581, 105.725),
    ("玉林", 4, "450902", 22.654, 110.181), ("宿州", 4, "341302", 33.646, 116.964),
]
CITY_NAMES = np.array([c[0] for c in CITIES])
CITY_TIERS = np.array([c[1] for c in CITIES])
CITY_REGION = np.array([c[2] for c in CITIES])
CITY_LAT = np.array([c[3] for c in CITIES])
CITY_LON = np.array([c[4] for c in CITIES])
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
ID_CHECK = np.array(list("10X98765432"))


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    surname = rng.choice(SURNAMES, n)
    first = rng.choice(GIVEN, n)
    second = rng.choice(GIVEN + [""] * 12, n)
    return np.char.add(np.char.add(surname, first), second)


def phone_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct 11-digit mobile numbers."""
    out: set[str] = set()
    result: list[str] = []
    while len(result) < n:
        need = n - len(result)
        prefixes = rng.choice(MOBILE_PREFIXES, need)
        rest = rng.integers(0, 100_000_000, need)
        for p, r in zip(prefixes.tolist(), rest.tolist(), strict=True):
            number = f"{p}{r:08d}"
            if number not in out:
                out.add(number)
                result.append(number)
    return np.array(result)


def id_numbers(rng: np.random.Generator, city_idx: np.ndarray, ages: np.ndarray,
               as_of_year: int) -> np.ndarray:
    """18-digit resident ID numbers with a valid check digit."""
    n = len(city_idx)
    years = as_of_year - ages
    months = rng.integers(1, 13, n)
    days = rng.integers(1, 29, n)
    seq = rng.integers(0, 1000, n)
    bodies = [
        f"{CITY_REGION[c]}{y:04d}{m:02d}{d:02d}{s:03d}"
        for c, y, m, d, s in zip(city_idx.tolist(), years.tolist(), months.tolist(),
                                 days.tolist(), seq.tolist(), strict=True)
    ]
    digits = np.array([[int(ch) for ch in b] for b in bodies]) if bodies else np.zeros((0, 17))
    checks = ID_CHECK[(digits @ ID_WEIGHTS) % 11] if n else np.array([], dtype=str)
    return np.char.add(np.array(bodies, dtype=str), checks.astype(str))


def bank_cards(rng: np.random.Generator, n: int) -> np.ndarray:
    """16-digit UnionPay-style card numbers with a valid Luhn digit."""
    bodies = np.column_stack([np.full(n, 6), np.full(n, 2), rng.integers(0, 10, (n, 13))])
    doubled = bodies[:, ::-1].copy()
    doubled[:, ::2] *= 2
    doubled[doubled > 9] -= 9
    check = (10 - doubled.sum(axis=1) % 10) % 10
    full = np.column_stack([bodies, check])
    return np.array(["".join(map(str, row)) for row in full.tolist()])
