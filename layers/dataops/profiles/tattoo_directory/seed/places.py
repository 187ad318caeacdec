"""Real UK neighbourhoods with their centre coordinates and postcode districts, where the seeded studios sit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Neighbourhood:
    area: str
    city: str
    latitude: float
    longitude: float
    postcode_district: str
    streets: tuple[str, ...]

    @property
    def display(self) -> str:
        """The 1.2.0 schema's normalised "Area, City"."""
        return f"{self.area}, {self.city}"


N = Neighbourhood

NEIGHBOURHOODS: tuple[Neighbourhood, ...] = (
    N("Shoreditch", "London", 51.5260, -0.0780, "E2", ("Redchurch Street", "Calvert Avenue", "Hackney Road")),
    N("Camden Town", "London", 51.5390, -0.1426, "NW1", ("Camden High Street", "Parkway", "Chalk Farm Road")),
    N("Brixton", "London", 51.4613, -0.1156, "SW2", ("Coldharbour Lane", "Acre Lane", "Brixton Hill")),
    N("Hackney", "London", 51.5450, -0.0553, "E8", ("Mare Street", "Well Street", "Morning Lane")),
    N("Soho", "London", 51.5136, -0.1365, "W1D", ("Berwick Street", "Greek Street", "Old Compton Street")),
    N("Peckham", "London", 51.4740, -0.0690, "SE15", ("Rye Lane", "Bellenden Road", "Peckham High Street")),
    N("Islington", "London", 51.5362, -0.1033, "N1", ("Upper Street", "Essex Road", "Chapel Market")),
    N("Dalston", "London", 51.5465, -0.0750, "E8", ("Kingsland High Street", "Stoke Newington Road")),
    N("Notting Hill", "London", 51.5090, -0.1960, "W11", ("Portobello Road", "Westbourne Grove", "Ledbury Road")),
    N("Clapham", "London", 51.4620, -0.1380, "SW4", ("Clapham High Street", "Abbeville Road", "Venn Street")),
    N("Greenwich", "London", 51.4826, -0.0077, "SE10", ("Greenwich Church Street", "Royal Hill", "Trafalgar Road")),
    N("Walthamstow", "London", 51.5830, -0.0200, "E17", ("Hoe Street", "Orford Road", "Walthamstow High Street")),
    N("Stoke Newington", "London", 51.5620, -0.0740, "N16", ("Church Street", "Stoke Newington High Street")),
    N("Bermondsey", "London", 51.4980, -0.0630, "SE1", ("Bermondsey Street", "Tower Bridge Road", "Druid Street")),
    N("Northern Quarter", "Manchester", 53.4840, -2.2360, "M4", ("Oldham Street", "Thomas Street", "Tib Street")),
    N("Ancoats", "Manchester", 53.4848, -2.2260, "M4", ("Blossom Street", "Jersey Street", "Cutting Room Square")),
    N("Didsbury", "Manchester", 53.4170, -2.2310, "M20", ("Wilmslow Road", "School Lane", "Lapwing Lane")),
    N("Chorlton", "Manchester", 53.4420, -2.2770, "M21", ("Beech Road", "Barlow Moor Road", "Wilbraham Road")),
    N("Digbeth", "Birmingham", 52.4750, -1.8850, "B5", ("Digbeth High Street", "Floodgate Street", "Bradford Street")),
    N("Jewellery Quarter", "Birmingham", 52.4880, -1.9120, "B18", ("Vyse Street", "Warstone Lane", "Frederick Street")),
    N("Moseley", "Birmingham", 52.4460, -1.8880, "B13", ("Alcester Road", "Woodbridge Road", "St Mary's Row")),
    N("Headingley", "Leeds", 53.8190, -1.5800, "LS6", ("Otley Road", "North Lane", "Headingley Lane")),
    N("Chapel Allerton", "Leeds", 53.8290, -1.5400, "LS7", ("Harrogate Road", "Stainbeck Lane", "Regent Street")),
    N("Finnieston", "Glasgow", 55.8640, -4.2840, "G3", ("Argyle Street", "Kelvinhaugh Street", "Old Dumbarton Road")),
    N("Merchant City", "Glasgow", 55.8590, -4.2450, "G1", ("Candleriggs", "Ingram Street", "Albion Street")),
    N("West End", "Glasgow", 55.8750, -4.2930, "G12", ("Byres Road", "Ashton Lane", "Great Western Road")),
    N("Leith", "Edinburgh", 55.9750, -3.1730, "EH6", ("Leith Walk", "Great Junction Street", "The Shore")),
    N("Stockbridge", "Edinburgh", 55.9580, -3.2090, "EH3", ("Raeburn Place", "St Stephen Street", "Deanhaugh Street")),
    N("Old Town", "Edinburgh", 55.9490, -3.1900, "EH1", ("Cowgate", "Grassmarket", "Victoria Street")),
    N("Stokes Croft", "Bristol", 51.4630, -2.5900, "BS1", ("Stokes Croft", "Jamaica Street", "Picton Street")),
    N("Clifton", "Bristol", 51.4590, -2.6180, "BS8", ("Princess Victoria Street", "Regent Street", "The Mall")),
    N("Bedminster", "Bristol", 51.4400, -2.6000, "BS3", ("North Street", "East Street", "West Street")),
    N("Baltic Triangle", "Liverpool", 53.3960, -2.9800, "L1", ("Jamaica Street", "Norfolk Street", "Simpson Street")),
    N("Ropewalks", "Liverpool", 53.4020, -2.9780, "L1", ("Bold Street", "Seel Street", "Wood Street")),
    N("North Laine", "Brighton", 50.8260, -0.1380, "BN1", ("Gardner Street", "Kensington Gardens", "Sydney Street")),
    N("Kemptown", "Brighton", 50.8190, -0.1230, "BN2", ("St James's Street", "St George's Road", "Bristol Road")),
    N("Cathays", "Cardiff", 51.4940, -3.1800, "CF24", ("Crwys Road", "Woodville Road", "Salisbury Road")),
    N("Canton", "Cardiff", 51.4810, -3.2030, "CF5", ("Cowbridge Road East", "Llandaff Road", "Romilly Crescent")),
    N("Ouseburn", "Newcastle upon Tyne", 54.9750, -1.5900, "NE6", ("Lime Street", "Stepney Bank", "Foundry Lane")),
    N("Jesmond", "Newcastle upon Tyne", 54.9880, -1.6030, "NE2", ("Osborne Road", "Acorn Road", "St George's Terrace")),
    N("Kelham Island", "Sheffield", 53.3890, -1.4700, "S3", ("Alma Street", "Russell Street", "Green Lane")),
    N("Ecclesall Road", "Sheffield", 53.3700, -1.4950, "S11", ("Ecclesall Road", "Hickmott Road", "Neill Road")),
    N("Hockley", "Nottingham", 52.9540, -1.1420, "NG1", ("Goose Gate", "Broadway", "Heathcoat Street")),
    N("Sneinton", "Nottingham", 52.9510, -1.1280, "NG2", ("Sneinton Road", "Manvers Street", "Carlton Road")),
)

LONDON: tuple[Neighbourhood, ...] = tuple(place for place in NEIGHBOURHOODS if place.city == "London")

# The inward code's last two letters never use C, I, K, M, O or V (Royal Mail's postcode format).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
