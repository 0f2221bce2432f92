"""A small Bahasa Indonesia → English glossary of city-problem words (documented data).

TF-IDF compares letters and words, not meanings: "banjir" and "flood" share nothing, so an
Indonesian need would never meet an English solution about floods. Before vectorising, every
text gets the English equivalents of the Indonesian words it contains appended (and the
Indonesian of the English words, so English needs meet Indonesian solutions). Words missing
from this list still only match by spelling: cognates ("digital", "sistem"/"system",
"transportasi"/"transportation") meet through character n-grams, other words do not meet
at all. Add pairs here when a real need shows a gap; keep them lower case, one meaning each.
"""

ID_EN: dict[str, str] = {
    "banjir": "flood", "peringatan": "warning", "dini": "early", "sungai": "river",
    "hujan": "rain", "bencana": "disaster", "gempa": "earthquake", "longsor": "landslide",
    "kebakaran": "fire", "evakuasi": "evacuation", "pengungsi": "evacuee",
    "sampah": "waste", "limbah": "wastewater", "daur": "recycling", "ulang": "recycling",
    "bank": "bank", "plastik": "plastic", "kompos": "compost", "pemilahan": "sorting",
    "kesehatan": "health", "rumah": "house", "sakit": "hospital", "puskesmas": "clinic",
    "dokter": "doctor", "pasien": "patient", "jarak": "remote", "jauh": "remote", "obat": "medicine",
    "lansia": "elderly", "ibu": "mother", "anak": "child", "gizi": "nutrition", "stunting": "stunting",
    "air": "water", "bersih": "clean", "minum": "drinking", "udara": "air", "polusi": "pollution",
    "pencemaran": "pollution", "emisi": "emission", "iklim": "climate", "energi": "energy",
    "surya": "solar", "listrik": "electricity", "hijau": "green", "taman": "park", "pohon": "tree",
    "lalu": "traffic", "lintas": "traffic", "kemacetan": "congestion", "macet": "congestion",
    "angkutan": "transport", "umum": "public", "bus": "bus", "parkir": "parking", "jalan": "road",
    "sepeda": "bicycle", "pejalan": "pedestrian", "kaki": "pedestrian",
    "pengaduan": "complaint", "aduan": "complaint", "keluhan": "complaint", "warga": "citizen",
    "masyarakat": "community", "layanan": "service", "pelayanan": "service", "publik": "public",
    "aplikasi": "app", "data": "data", "terbuka": "open", "kota": "city", "cerdas": "smart",
    "pintar": "smart", "pemerintah": "government", "perizinan": "permit", "izin": "permit",
    "pajak": "tax", "anggaran": "budget", "transparansi": "transparency",
    "sekolah": "school", "pendidikan": "education", "pelatihan": "training", "guru": "teacher",
    "perumahan": "housing", "kumuh": "slum", "pangan": "food", "pertanian": "agriculture",
    "pasar": "market", "usaha": "business", "kecil": "small", "wisata": "tourism",
    "pariwisata": "tourism", "budaya": "culture", "cagar": "heritage", "warisan": "heritage",
    "pemantauan": "monitoring", "pantau": "monitoring", "sensor": "sensor", "peta": "map",
    "pesan": "message", "singkat": "sms", "ketinggian": "level", "muka": "level",
    "genangan": "waterlogging",
}

# The other way: English words whose Indonesian equivalents are appended to English texts.
EN_ID: dict[str, str] = {}
for _id, _en in ID_EN.items():
    EN_ID.setdefault(_en, _id)
