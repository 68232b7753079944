"""Which signature line is a title, a company, an address line or a website (word lists, many languages)."""
from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
COMPANY_SUFFIX = re.compile(
    r"(?:^|\s)(?:inc|llc|ltd|limited|gmbh|ag|kg|se|s\.?a\.?s?|sarl|s\.?l\.?u?|s\.?p\.?a\.?|srl|s\.?r\.?l\.?|b\.?v\.?"
    r"|n\.?v\.?|s\.?a\.?\s+de\s+c\.?v\.?|oy|oyj|ab|as|asa|a/s|aps|uab|k\.?k\.?|co|corp|corporation|company|group|plc|pty|llp|lda|ltda"
    r"|gmbh\s*&\s*co\.?\s*kg|ооо|ао|sp\.\s*z\s*o\.\s*o|spółka|s\.?r\.?o|oü|sia|ug|e\.v\.|consulting|consultancy)"
    r"\.?(?:\s*\(.*\))?$"
    r"|^(?:uab|ooo|ооо|ao|ао|atelier|studio|cabinet|agence|agentur|bureau)\s", re.I)
TITLE_WORDS = re.compile(
    r"(?<!\w)(?:ceo|cfo|cto|coo|cio|cmo|cro|vp|svp|evp|avp|president|director|manager|head|lead|chief|officer"
    r"|\w+manager|\w+leiter\w*|\w+berater\w*|\w+assistent\w*|consultant\w*|buchhaltung|controlling"
    r"|founder|co-founder|owner|partner|principal|engineer|developer|architect|consultant|analyst|specialist"
    r"|advisor|adviser|assistant|coordinator|administrator|executive|representative|associate|accountant"
    r"|counsel|attorney|lawyer|paralegal|sales|marketing|procurement|purchasing|buyer|recruiter|designer"
    r"|scientist|professor|controller|treasurer|secretary|intern|editor|producer|nurse|physician"
    r"|geschäftsführer\w*|leiter\w*|leitung|berater\w*|vertrieb\w*|einkauf\w*|einkäufer\w*|referent\w*|inhaber\w*"
    r"|prokurist\w*|sachbearbeiter\w*|vorstand\w*|teamleiter\w*|abteilungsleiter\w*|assistenz|kundenbetreuer\w*"
    r"|directeur|directrice|responsable|ingénieur\w*|chef|chargée?|commercial[e]?|gérant[e]?|comptable"
    r"|gerente|director[a]?|jefe|jefa|responsable|comercial|ingeniero|ingeniera|asesor[a]?|técnico|técnica"
    r"|diretor[a]?|gerente|vendas|compras|direttore|direttrice|responsabile|commerciale|amministratore"
    r"|ufficio|acquisti|vendite|directeur|bedrijfsleider|verkoop|inkoop|adviseur|medewerker|eigenaar"
    r"|försäljningschef|säljchef|säljare|inköpare|vd|chef\w*|ansvarig|ekonomichef"
    r"|dyrektor\w*|kierownik\w*|prezes|specjalista|handlowy|sprzedaży|zakupów|direktor\w*|vadov\w*"
    r"|direktorius|vadybinink\w*|specialist\w*|pardavimų|pirkimų|директор\w*|менеджер\w*|руководитель"
    r"|johtaja|myyntipäällikkö|toimitusjohtaja|chef de projet"
    r"|translator|übersetzer\w*|traducteur|traductrice|photographer|fotograf\w*|photographe|architecte|arquitect[oa]"
    r"|\w+leider|\w+chef)(?!\w)", re.I | re.UNICODE)
TITLE_COMPANY = re.compile(r"^(?P<title>.+?)\s+(?:at|@|bei|chez|en|em|w|pas|presso|bij|på|hos)\s+(?P<company>.+)$",
                           re.I)
_STREET = re.compile(
    r"(?:\b\d+[a-z]?\s+.*\b(?:street|st\.?|road|rd\.?|avenue|ave\.?|boulevard|blvd\.?|lane|ln\.?|drive|dr\.?|way"
    r"|place|pl\.?|court|ct\.?|square|sq\.?|parkway|pkwy|highway|hwy|terrace|row)\b"
    r"|\w*(?:straße|strasse|str\.|gasse|weg|platz|allee|ring|damm|ufer|markt|steig|gracht|laan|plein|straat|kade"
    r"|gatan|vägen|väg|gata|katu|tie)\s+\d+\w*"
    r"|\b(?:rue|avenue|av\.|bd|boulevard|place|chemin|allée|impasse|quai|calle|c/|avenida|avda\.?|plaza|paseo"
    r"|via|viale|piazza|corso|largo|rua|travessa|praça|ul\.|ulica|al\.|aleja)\s+.*\d"
    r"|\d+\s*,?\s*(?:rue|avenue|av\.|bd|boulevard|place|chemin|allée|quai|via|rua)\b"
    r"|\w+\s(?:g\.|gatvė|pr\.|prospektas)\s*\d+"
    r"|\b(?:suite|ste\.?|floor|fl\.?|unit|building|bldg\.?|p\.?\s?o\.?\s+box|postfach|apartado|casilla)\s*#?\s*\d+)",
    re.I | re.UNICODE)
_POSTCODE_CITY = re.compile(
    r"^(?:[A-Z]{1,2}-)?\d{4,5}\s+[^\W\d_]|^\d{2}-\d{3}\s+[^\W\d_]|^\d{3}\s?\d{2}\s+[^\W\d_]|^LT-\d{5}\s|^\d{4}\s?[A-Z]{2}\s+[^\W\d_]"
    r"|,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b|[^\W\d_]+\s+\d{4,5}\s*$"
    r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b|\b[A-Z]\d{2}\s[A-Z\d]{4}$", re.UNICODE)    # … Canada, Ireland (Eircode)
_COUNTRIES = frozenset({
    "usa", "united states", "u.s.a.", "uk", "united kingdom", "england", "germany", "deutschland", "france",
    "spain", "españa", "italy", "italia", "netherlands", "nederland", "the netherlands", "portugal", "sweden",
    "sverige", "poland", "polska", "lithuania", "lietuva", "austria", "österreich", "switzerland", "schweiz",
    "suisse", "belgium", "belgique", "ireland", "canada", "australia", "brasil", "brazil", "denmark", "danmark",
    "norway", "norge", "finland", "suomi", "mexico", "méxico", "india", "japan", "singapore", "россия"})
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>|,;]+|(?<![@\w.-])[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|co|ai|app|biz|info|eu|de|fr"
    r"|es|it|nl|pt|se|pl|lt|at|ch|be|uk|ie|ca|us|dk|no|fi|br|mx|ru|example)(?:/[^\s<>|,;]*)?(?![\w@])", re.I)
_SOCIAL = re.compile(r"linkedin\.|twitter\.|(?<![\w.])x\.com|facebook\.|instagram\.|xing\.|youtube\.|tiktok\.|"
                     r"calendly\.|teams\.microsoft|zoom\.us|wa\.me", re.I)


_ADDRESS_LABEL = re.compile(r"^\s*(?:a|addr|address|adresse|anschrift|dirección|direccion|indirizzo|adres|endereço"
                            r"|adresas)\s*[:.]\s*", re.I)


def without_address_label(line: str) -> str:
    """"a: 1 Main St" → "1 Main St"."""
    return _ADDRESS_LABEL.sub("", line).strip(" ,")


def is_address_line(line: str) -> bool:
    """A street, a post-code-and-city, a PO box or a lone country name."""
    stripped = without_address_label(line)
    return bool(_STREET.search(stripped) or _POSTCODE_CITY.search(stripped)) \
        or stripped.casefold() in _COUNTRIES


def website_in(line: str) -> str | None:
    """The company website written on the line (social profiles and meeting links are not one)."""
    for match in _URL.finditer(EMAIL.sub(" ", line)):
        url = match.group(0).rstrip(".)/")
        if not _SOCIAL.search(url):
            return url
    return None


def is_title(line: str) -> bool:
    return TITLE_WORDS.search(line) is not None and COMPANY_SUFFIX.search(line) is None


def is_company(line: str) -> bool:
    return COMPANY_SUFFIX.search(line.strip().strip('"“”')) is not None
