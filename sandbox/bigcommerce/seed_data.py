"""Reference tables for seeding: countries, people, places, carriers, products.

Names and addresses deliberately include non-Latin scripts (Japanese, Cyrillic, Greek,
Arabic, Hebrew, Inuktitut syllabics, Vietnamese), apostrophes, particles, very long and
very short names, markup-looking text and emoji: what real shoppers type and what breaks
naive renderers and filenames downstream.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    iso2: str
    name: str
    currency: str
    rate: float
    tax_rate: float
    locale: str
    phone_prefix: str
    places: tuple[tuple[str, str, str], ...]
    streets: tuple[str, ...]
    people: tuple[tuple[str, str], ...]
    carriers: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country(
        "US",
        "United States",
        "USD",
        1.0,
        0.0725,
        "en-US",
        "+1",
        (
            ("Austin", "Texas", "78701"),
            ("New York", "New York", "10001"),
            ("San Francisco", "California", "94103"),
            ("Honolulu", "Hawaii", "96813"),
        ),
        ("Congress Ave", "Broadway", "Market St", "Kalākaua Ave"),
        (
            ("James", "Smith"),
            ("María José", "García-López"),
            ("D'Andre", "O'Neil"),
            ("Wei", "Zhang 张"),
            ("Christopher Alexander Jonathan", "Montgomery-Fitzgerald III"),
            ("Li", "Ng"),
            ("Ava", "Johnson"),
        ),
        ("ups", "fedex", "usps"),
    ),
    Country(
        "GB",
        "United Kingdom",
        "GBP",
        0.79,
        0.20,
        "en-GB",
        "+44",
        (
            ("London", "Greater London", "SW1A 1AA"),
            ("Manchester", "Greater Manchester", "M1 1AE"),
            ("Llanfairpwllgwyngyll", "Anglesey", "LL61 5UJ"),
        ),
        ("Baker Street", "Deansgate", "High Street"),
        (
            ("Oliver", "Smith-Jones"),
            ("Siobhán", "Ó Briain"),
            ("محمد", "العلي"),
            ("Amelia", "Ffoulkes"),
            ("Priya", "Patel"),
        ),
        ("royalmail", "dhl"),
    ),
    Country(
        "DE",
        "Germany",
        "EUR",
        0.92,
        0.19,
        "de-DE",
        "+49",
        (
            ("Berlin", "Berlin", "10115"),
            ("München", "Bayern", "80331"),
            ("Köln", "Nordrhein-Westfalen", "50667"),
        ),
        ("Straße des 17. Juni", "Maximilianstraße", "Hohe Straße"),
        (
            ("Jürgen", "Müller"),
            ("Björn", "Weiß"),
            ("Анна", "Иванова"),
            ("Γιώργος", "Παπαδόπουλος"),
            ("Ölçay", "Yılmaz"),
        ),
        ("dhl", "ups"),
    ),
    Country(
        "FR",
        "France",
        "EUR",
        0.92,
        0.20,
        "fr-FR",
        "+33",
        (("Paris", "Île-de-France", "75001"), ("Lyon", "Auvergne-Rhône-Alpes", "69001")),
        ("Rue de Rivoli", "Rue de la République"),
        (("François", "Lefèvre"), ("Anaïs", "Dubois-Château"), ("Œdipe", "Cœur"), ("יעל", "כהן")),
        ("laposte", "dhl"),
    ),
    Country(
        "NL",
        "Netherlands",
        "EUR",
        0.92,
        0.21,
        "nl-NL",
        "+31",
        (("Amsterdam", "Noord-Holland", "1012 JS"), ("Rotterdam", "Zuid-Holland", "3011 AD")),
        ("Damrak", "Coolsingel"),
        (("Daan", "van der Berg"), ("IJsbrand", "de Vries"), ("Sanne", "’t Hart")),
        ("postnl", "dhl"),
    ),
    Country(
        "CA",
        "Canada",
        "CAD",
        1.36,
        0.13,
        "en-CA",
        "+1",
        (
            ("Toronto", "Ontario", "M5H 2N2"),
            ("Montréal", "Quebec", "H2Y 1C6"),
            ("Iqaluit", "Nunavut", "X0A 0H0"),
        ),
        ("Queen St W", "Rue Saint-Paul", "Queen Elizabeth Way"),
        (("Émilie", "Tremblay"), ("ᐊᓯᐅᒃ", "ᖃᐅᓇᖅ"), ("Liam", "MacDonald")),
        ("canadapost", "ups"),
    ),
    Country(
        "AU",
        "Australia",
        "AUD",
        1.52,
        0.10,
        "en-AU",
        "+61",
        (("Sydney", "New South Wales", "2000"), ("Melbourne", "Victoria", "3000")),
        ("George St", "Collins St"),
        (("Charlotte", "Nguyễn"), ("Jack", "Wilson"), ("Mia", "O'Connor")),
        ("auspost",),
    ),
    Country(
        "JP",
        "Japan",
        "JPY",
        149.5,
        0.10,
        "ja-JP",
        "+81",
        (("千代田区", "東京都", "100-0001"), ("大阪市北区", "大阪府", "530-0001")),
        ("丸の内1-1-1", "梅田3-1-3"),
        (("太郎", "山田"), ("さくら", "佐藤"), ("Hiroshi", "Tanaka"), ("翔", "髙橋")),
        ("japanpost", "yamato"),
    ),
)

EDGE_COMPANIES = (
    "",
    "",
    "",
    "ACME <b>Corp</b> & Sons",
    "Müller & Söhne GmbH",
    "株式会社テスト",
    'Café "Zoë" 🌸',
)

CARRIER_LINKS = {
    "ups": "https://www.ups.com/track?tracknum={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "royalmail": "https://www.royalmail.com/track-your-item#/tracking-results/{}",
    "dhl": "https://www.dhl.com/en/express/tracking.html?AWB={}",
    "laposte": "https://www.laposte.fr/outils/suivre-vos-envois?code={}",
    "postnl": "https://postnl.nl/tracktrace/?B={}",
    "canadapost": "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{}",
    "auspost": "https://auspost.com.au/mypost/track/#/details/{}",
    "japanpost": "https://trackings.post.japanpost.jp/services/srv/search/?requestNo1={}",
    "yamato": "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number={}",
}

PAYMENT_METHODS = (
    ("Credit Card", "stripe", 70),
    ("PayPal", "paypal", 15),
    ("Manual", "manual", 5),
    ("Bank Deposit", "bankdeposit", 5),
    ("Cash on Delivery", "cod", 5),
)

# (status_id, weight): a realistic mix, mostly completed and shipped.
STATUS_WEIGHTS = (
    (10, 34),
    (2, 18),
    (11, 10),
    (9, 5),
    (3, 3),
    (4, 4),
    (14, 4),
    (5, 4),
    (6, 2),
    (7, 3),
    (1, 3),
    (0, 2),
    (8, 2),
    (12, 3),
    (13, 3),
)

# (stem, name, type, base price in cents, options)
PRODUCT_LINES = (
    ("TSH", "Organic Cotton T-Shirt", "physical", 2500, ("Size", "Color")),
    ("HOO", "Recycled Fleece Hoodie", "physical", 6500, ("Size", "Color")),
    ("MUG", "Stoneware Mug 350 ml", "physical", 1800, ("Color",)),
    ("BAG", "Waxed Canvas Tote", "physical", 4200, ()),
    ("EBK", "Field Guide (e-book)", "digital", 1200, ()),
    ("SFT", "Photo Editor Licence", "digital", 7900, ()),
    ("LMP", "Brass Desk Lamp", "physical", 11900, ("Color",)),
    ("TEA", "Sencha 煎茶 Loose Leaf 100 g", "physical", 1450, ()),
    ("SHO", "Trail Running Shoe", "physical", 12900, ("Size",)),
    ("CHG", "USB-C Charger 65 W", "physical", 3900, ()),
)
OPTION_VALUES = {"Size": ("S", "M", "L", "XL"), "Color": ("Red", "Navy", "Forest")}
# Per option: the order line's `type`, `display_style` and internal `name`, as in the
# orders.v2.oas2.yml example (a "Multiple choice" size shown as rectangles, a swatch colour).
OPTION_KINDS = {
    "Size": ("Multiple choice", "Rectangle", "Apparel sizes"),
    "Color": ("Swatch", "", "Colors"),
}
