# ruff: noqa: E501  (the seeded pages are HTML as a merchant writes it, one element a line)
"""Seeded storefront channels and the disclosures each shows, in its own language.

Channel 1 is the English main storefront, 2 the German one, 3 the Japanese one: per-channel
terms, privacy, returns and shipping pages (headings, lists, a table, links), checkout
terms per channel and privacy settings store-wide and per channel, so a flow that captures disclosures per channel has real
differences to capture. The texts are written for the emulator, not legal advice.
"""

from __future__ import annotations

from typing import Any

from . import disclosures
from .state import Store

CREATED = "2024-01-15T09:00:00Z"

CHANNELS: tuple[dict[str, Any], ...] = (
    {"id": 1, "name": "Example Store", "language": "en", "domain": "store.example.com"},
    {
        "id": 2,
        "name": "Example Store Deutschland",
        "language": "de",
        "domain": "de.store.example.com",
    },
    {"id": 3, "name": "Example Store 日本", "language": "ja", "domain": "jp.store.example.com"},
)


def channel_record(channel: dict[str, Any]) -> dict[str, Any]:
    """A storefront channel as `GET /v3/channels` shows it (channels.v3.yml `Channel`)."""
    return {
        "id": channel["id"],
        "external_id": "",
        "is_listable_from_ui": True,
        "is_enabled": True,
        "is_visible": True,
        "status": "active",
        "name": channel["name"],
        "type": "storefront",
        "platform": "bigcommerce",
        "date_created": CREATED,
        "date_modified": CREATED,
        "icon_url": "https://storage.googleapis.com/bigcommerce-production-dev-center/images/"
        "bigcommerce_icon.svg",
    }


_TERMS_EN = """<h1>Terms and Conditions</h1>
<p>Version {v}. These terms govern every order placed on <a href="https://store.example.com/">store.example.com</a>.
By placing an order you agree to them.</p>
<h2>1. Contract</h2>
<ol><li>Our product pages are an invitation to order, not a binding offer.</li>
<li>The contract is formed when we confirm dispatch by e-mail.</li></ol>
<h2>2. Prices and payment</h2>
<ul><li>Prices include VAT where it applies; shipping is shown at checkout.</li>
<li>We accept cards, PayPal and bank transfer.<ul><li>Bank transfers must arrive within 7 days.</li></ul></li></ul>
<h2>3. Governing law</h2>
<p>These terms are governed by the laws of the State of Texas. See also our
<a href="/privacy-notice/">Privacy Notice</a> and <a href="/returns/">Returns Policy</a>.</p>"""

_PRIVACY_EN = """<h1>Privacy Notice</h1>
<p>Version {v}. Example Store Inc. processes personal data to fulfil orders and run this shop.</p>
<h2>What we collect</h2>
<ul><li>Contact and delivery details</li><li>Order and payment history</li><li>Device data, with your consent</li></ul>
<h2>Cookie categories</h2>
<table><tr><th>Category</th><th>Purpose</th><th>Consent</th></tr>
<tr><td>essential</td><td>Cart, checkout, security</td><td>not needed</td></tr>
<tr><td>functional</td><td>Remembering preferences</td><td>asked</td></tr>
<tr><td>analytics</td><td>Measuring visits</td><td>asked</td></tr>
<tr><td>targeting</td><td>Advertising</td><td>asked</td></tr></table>
<p>Write to <a href="mailto:privacy@store.example.com">privacy@store.example.com</a> to exercise your rights.</p>"""

_RETURNS_EN = """<h1>Returns</h1>
<p>Version {v}. You may return unused items within <b>30 days</b> of delivery for a full refund.</p>
<ol><li>Request a return label from your account.</li><li>Pack the items in their original packaging.</li>
<li>Drop the parcel at any carrier location.</li></ol>
<p>Refunds are paid to the original payment method within 14 days of receipt.</p>"""

_SHIPPING_EN = """<h1>Shipping</h1>
<p>Version {v}. We ship worldwide; duties and import taxes may apply outside the US.</p>
<table><tr><th>Destination</th><th>Carrier</th><th>Price</th><th>Days</th></tr>
<tr><td>United States</td><td>UPS Ground</td><td>$5.99</td><td>2-5</td></tr>
<tr><td>Canada</td><td>USPS International</td><td>$14.99</td><td>5-10</td></tr>
<tr><td>Rest of world</td><td>DHL Express</td><td>$29.99</td><td>3-7</td></tr></table>
<p>Track your parcel at <a href="https://store.example.com/account/orders">your account</a>.</p>"""

_AGB = """<h1>Allgemeine Geschäftsbedingungen</h1>
<p>Fassung {v}. Diese AGB gelten für alle Bestellungen über <a href="https://de.store.example.com/">de.store.example.com</a>.</p>
<h2>§ 1 Vertragsschluss</h2>
<ol><li>Die Darstellung der Produkte ist kein bindendes Angebot.</li>
<li>Der Vertrag kommt mit unserer Versandbestätigung zustande.</li></ol>
<h2>§ 2 Widerrufsrecht</h2>
<p>Verbraucher haben ein vierzehntägiges Widerrufsrecht. Einzelheiten in der
<a href="/de/widerruf/">Widerrufsbelehrung</a>.</p>
<h2>§ 3 Preise</h2>
<ul><li>Alle Preise enthalten die gesetzliche Umsatzsteuer.</li><li>Versandkosten werden im Warenkorb angezeigt.</li></ul>"""

_DATENSCHUTZ = """<h1>Datenschutzerklärung</h1>
<p>Fassung {v}. Verantwortlich: Example Store GmbH, Friedrichstraße 1, 10117 Berlin.</p>
<h2>Zwecke der Verarbeitung</h2>
<ul><li>Vertragserfüllung (Art. 6 Abs. 1 lit. b DSGVO)</li><li>Statistik nur mit Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)</li></ul>
<table><tr><th>Kategorie</th><th>Zweck</th><th>Speicherdauer</th></tr>
<tr><td>notwendig</td><td>Warenkorb, Kasse</td><td>Sitzung</td></tr>
<tr><td>Statistik</td><td>Reichweitenmessung</td><td>13 Monate</td></tr></table>
<p>Kontakt: <a href="mailto:datenschutz@store.example.com">datenschutz@store.example.com</a></p>"""

_WIDERRUF = """<h1>Widerrufsbelehrung</h1>
<p>Fassung {v}. Sie haben das Recht, binnen <b>vierzehn Tagen</b> ohne Angabe von Gründen diesen Vertrag zu widerrufen.</p>
<ol><li>Teilen Sie uns Ihren Entschluss mit einer eindeutigen Erklärung mit.</li><li>Senden Sie die Ware unverzüglich zurück.</li></ol>"""

_VERSAND = """<h1>Versand und Lieferung</h1>
<p>Fassung {v}. Wir liefern innerhalb Deutschlands und in die EU.</p>
<table><tr><th>Ziel</th><th>Versanddienst</th><th>Preis</th></tr>
<tr><td>Deutschland</td><td>DHL Paket</td><td>4,90 €</td></tr><tr><td>EU</td><td>DHL Europaket</td><td>9,90 €</td></tr></table>"""

_KIYAKU = """<h1>利用規約</h1>
<p>版 {v}。本規約は <a href="https://jp.store.example.com/">jp.store.example.com</a> でのすべてのご注文に適用されます。</p>
<h2>第1条(契約の成立)</h2>
<ol><li>商品ページの表示は申込みの誘引です。</li><li>発送完了メールの送信をもって契約が成立します。</li></ol>
<h2>第2条(支払い)</h2>
<ul><li>価格はすべて消費税込みです。</li><li>クレジットカード、コンビニ払いがご利用いただけます。</li></ul>"""

_PRIVACY_JA = """<h1>プライバシーポリシー</h1>
<p>版 {v}。当社は個人情報保護法に従い、お客様の個人情報を取り扱います。</p>
<ul><li>利用目的:ご注文の処理と配送</li><li>第三者提供:配送業者に限ります</li></ul>
<p>お問い合わせ:<a href="mailto:privacy@store.example.com">privacy@store.example.com</a></p>"""

_HENPIN = """<h1>返品・交換について</h1>
<p>版 {v}。商品到着後 <b>8日以内</b> に限り、未使用品の返品を承ります。</p>
<ol><li>マイページから返品を申請してください。</li><li>商品を元の梱包で返送してください。</li></ol>"""

_HAISOU = """<h1>配送について</h1>
<p>版 {v}。全国一律の送料でお届けします。</p>
<table><tr><th>地域</th><th>送料</th><th>お届け日数</th></tr>
<tr><td>本州・四国・九州</td><td>600円</td><td>1〜3日</td></tr><tr><td>北海道・沖縄</td><td>1,200円</td><td>2〜5日</td></tr></table>"""

# (channel, name, url slug, type, body): the four disclosures of every storefront first.
PAGES: tuple[tuple[int, str, str, str, str], ...] = (
    (1, "Terms and Conditions", "terms-and-conditions", "page", _TERMS_EN),
    (1, "Privacy Notice", "privacy-notice", "page", _PRIVACY_EN),
    (1, "Returns Policy", "returns", "page", _RETURNS_EN),
    (1, "Shipping Policy", "shipping", "page", _SHIPPING_EN),
    (1, "Contact Us", "contact-us", "contact_form", "<p>Write to us.</p>"),
    (1, "Size Guide", "size-guide", "raw", "<table><tr><td>S</td><td>36</td></tr></table>"),
    (1, "Impressum", "impressum", "page", "<p>Verantwortlich: Jürgen Müller, Berlin.</p>"),
    (1, "Blog", "blog", "blog", ""),
    (2, "Allgemeine Geschäftsbedingungen", "de/agb", "page", _AGB),
    (2, "Datenschutzerklärung", "de/datenschutz", "page", _DATENSCHUTZ),
    (2, "Widerrufsbelehrung", "de/widerruf", "page", _WIDERRUF),
    (2, "Versand und Lieferung", "de/versand", "page", _VERSAND),
    (3, "利用規約", "ja/kiyaku", "page", _KIYAKU),
    (3, "プライバシーポリシー", "ja/privacy", "page", _PRIVACY_JA),
    (3, "返品・交換について", "ja/henpin", "page", _HENPIN),
    (3, "配送について", "ja/haisou", "page", _HAISOU),
)

# Checkout terms per channel: (type, link, textarea, policy consent). `policy_consent` is a
# bare string in checkouts.v3.yml with no documented values: "enabled"/"disabled" is our pick.
CHECKOUT_TERMS: dict[int, tuple[str, str, str, str]] = {
    1: ("link", "https://store.example.com/terms-and-conditions/", "", "disabled"),
    2: (
        "textarea",
        "",
        "Mit Ihrer Bestellung akzeptieren Sie unsere AGB (Fassung 2025-06-01) und haben die "
        "Widerrufsbelehrung zur Kenntnis genommen.",
        "enabled",
    ),
    3: (
        "textarea",
        "",
        "ご注文により、利用規約(2025-06-01版)に同意したものとみなします。",
        "enabled",
    ),
}
CHECKOUT_SCRIPTS = {
    "custom_checkout_script_url": "",
    "order_confirmation_use_custom_checkout_script": False,
    "custom_order_confirmation_script_url": "",
    "custom_checkout_supports_uco_settings": False,
    "custom_checkout_sri_hash": "",
    "custom_order_confirmation_sri_hash": "",
}

PRIVACY_URLS = {
    0: "https://store.example.com/privacy-notice/",
    1: "https://store.example.com/privacy-notice/",
    2: "https://de.store.example.com/de/datenschutz/",
    3: "https://jp.store.example.com/ja/privacy/",
}


def seed_disclosures(store: Store, version: str = "2025-06-01") -> None:
    """The channels, their pages and settings; each enters the disclosure log as created."""
    for channel in CHANNELS:
        store.channels[channel["id"]] = channel_record(channel)
    for order, (channel, name, slug, ptype, body) in enumerate(PAGES):
        pid = store.next_id("page")
        page = {
            "id": pid,
            "channel_id": channel,
            "name": name,
            "is_visible": ptype != "raw",
            "parent_id": 0,
            "sort_order": order,
            "type": ptype,
            "is_homepage": False,
            "is_customers_only": False,
            "url": f"/{slug}/",
            "meta_title": name,
            "meta_keywords": "",
            "meta_description": "",
            "search_keywords": "",
            "body": body.format(v=version),
            "content_type": "text/html",
        }
        if ptype == "contact_form":
            page |= {"email": "support@example.com", "contact_fields": "fullname,phone,orderno"}
        if ptype == "link":
            page["link"] = "https://example.com"
        store.pages[pid] = page
        disclosures.page_changed(store, page, "created", notify=False)
    store.checkout_settings[0] = dict(CHECKOUT_SCRIPTS)
    for channel, (kind, link, text, consent) in CHECKOUT_TERMS.items():
        store.checkout_settings[channel] = {
            "checkout_type": "one_page",
            "guest_checkout_type": "enabled",
            "guest_checkout_for_existing_accounts": "enabled",
            "policy_consent": consent,
            "order_confirmation_contact_email": "orders@store.example.com",
            "is_order_terms_and_conditions_enabled": True,
            "order_terms_and_conditions_type": kind,
            "order_terms_and_conditions_link": link,
            "order_terms_and_conditions_textarea": text,
            "should_redirect_to_storefront_for_auth": False,
            **CHECKOUT_SCRIPTS,
        }
        disclosures.checkout_terms_changed(store, channel, notify=False)
    for channel, url in PRIVACY_URLS.items():
        store.customer_settings[channel] = {
            "privacy_settings": {
                "ask_shopper_for_tracking_consent": channel != 3,
                "policy_url": url,
            },
            "customer_group_settings": {
                "guest_customer_group_id": 0,
                "default_customer_group_id": 0,
            },
        }
        if channel:  # the per-channel settings alone carry this flag (customers.v3.yml)
            store.customer_settings[channel]["allow_global_logins"] = True
        disclosures.privacy_changed(store, channel, notify=False)
