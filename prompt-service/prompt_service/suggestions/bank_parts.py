"""Hand-written parts of the suggestion bank, in English and Hindi.

Hindi parts are written for the templates in `bank.py`: characters in the oblique case (they are always followed by
"की"), places in the oblique case (always followed by "में"), twists as clauses with their own subject, so every
verb agrees with a noun in the part itself and never with a hero's gender.
"""

from __future__ import annotations

Pair = tuple[str, str]  # (English, Hindi)

CHARACTERS: dict[str, tuple[Pair, ...]] = {
    "3-5": (
        ("a little rabbit", "एक नन्हे खरगोश"),
        ("a sleepy teddy bear", "एक उनींदे टेडी भालू"),
        ("a curious duckling", "एक जिज्ञासु बत्तख के बच्चे"),
        ("a cheerful puppy", "एक खुशमिज़ाज पिल्ले"),
        ("a tiny red train", "एक छोटी लाल रेलगाड़ी"),
        ("a shy kitten", "एक शर्मीले बिल्ली के बच्चे"),
        ("a smiling cloud", "एक मुस्कुराते बादल"),
        ("a baby elephant", "एक नन्हे हाथी"),
    ),
    "6-8": (
        ("a brave little girl", "एक बहादुर छोटी लड़की"),
        ("a boy who loves kites", "पतंगों के शौकीन एक लड़के"),
        ("a clever monkey", "एक चतुर बंदर"),
        ("a wise old tortoise", "एक समझदार बूढ़े कछुए"),
        ("a friendly robot", "एक दोस्ताना रोबोट"),
        ("a talking parrot", "एक बोलने वाले तोते"),
        ("a grandmother with a magic shawl", "जादुई शॉल वाली एक दादी"),
        ("twin squirrels", "दो जुड़वाँ गिलहरियों"),
    ),
    "9-12": (
        ("a young explorer", "एक नन्हे खोजी"),
        ("a girl who builds gadgets", "यंत्र बनाने वाली एक लड़की"),
        ("a boy with a secret notebook", "गुप्त डायरी वाले एक लड़के"),
        ("a retired sea captain", "एक रिटायर्ड जहाज़ी कप्तान"),
        ("a fox who solves riddles", "पहेलियाँ सुलझाने वाली एक लोमड़ी"),
        ("a new student in class", "कक्षा के एक नए विद्यार्थी"),
        ("a village postman", "गाँव के एक डाकिये"),
        ("a runaway kite", "एक भटकी हुई पतंग"),
    ),
    "13-17": (
        ("a teenage inventor", "एक किशोर आविष्कारक"),
        ("a school band's drummer", "स्कूल बैंड के ड्रमर"),
        ("a young journalist", "एक युवा पत्रकार"),
        ("a chess champion", "एक शतरंज चैंपियन"),
        ("a young marathon runner", "एक मैराथन धाविका"),
        ("a volunteer at an animal shelter", "पशु आश्रय के एक स्वयंसेवक"),
        ("an old librarian", "एक बुज़ुर्ग लाइब्रेरियन"),
        ("a coder who talks to satellites", "उपग्रहों से बतियाते एक कोडर"),
    ),
}

# genre id → (places, twists)
GENRE_PARTS: dict[str, tuple[tuple[Pair, ...], tuple[Pair, ...]]] = {
    "adventure": (
        (
            ("a hidden cave behind a waterfall", "झरने के पीछे छिपी एक गुफा"),
            ("a ship sailing to an unknown island", "किसी अनजान द्वीप की ओर जाते जहाज़"),
            ("the snowy mountains of Himachal", "हिमाचल के बर्फ़ीले पहाड़ों"),
            ("a desert full of shifting dunes", "रेत के टीलों से भरे रेगिस्तान"),
            ("a jungle where the river talks", "बातें करती नदी वाले एक जंगल"),
        ),
        (
            ("an old map turns up", "एक पुराना नक्शा मिलता है"),
            ("the bridge home breaks in a storm", "तूफ़ान में घर लौटने का पुल टूट जाता है"),
            ("a compass points the wrong way", "एक कम्पास उल्टी दिशा दिखाने लगता है"),
            ("a locked treasure chest appears", "एक बंद ख़ज़ाने का संदूक दिखाई देता है"),
        ),
    ),
    "animals": (
        (
            ("a busy farm by the river", "नदी किनारे के एक चहल-पहल भरे खेत"),
            ("a banyan tree full of birds", "चिड़ियों से भरे एक बरगद के पेड़"),
            ("the grasslands of a national park", "एक राष्ट्रीय उद्यान के घास के मैदानों"),
            ("a pond where the frogs hold meetings", "मेंढकों की सभा वाले एक तालाब"),
            ("a city zoo at night", "रात के समय शहर के चिड़ियाघर"),
        ),
        (
            ("a baby bird falls from its nest", "एक नन्हा पक्षी घोंसले से गिर जाता है"),
            ("the animals plan a surprise party", "सारे जानवर एक सरप्राइज़ पार्टी की योजना बनाते हैं"),
            ("the water hole starts to dry up", "पानी का तालाब सूखने लगता है"),
            ("a lost calf needs to find its mother", "एक खोया हुआ बछड़ा अपनी माँ को ढूँढ़ता है"),
        ),
    ),
    "bedtime": (
        (
            ("a quiet village under the stars", "तारों के नीचे सोए एक शांत गाँव"),
            ("a boat floating on a moonlit lake", "चाँदनी झील पर तैरती एक नाव"),
            ("a cosy room on a rainy night", "बारिश की रात के एक आरामदायक कमरे"),
            ("a garden where the flowers sleep", "सोते हुए फूलों वाले एक बग़ीचे"),
            ("a soft cloud high above the town", "शहर के ऊपर एक मुलायम बादल"),
        ),
        (
            ("the moon cannot fall asleep", "चाँद को नींद नहीं आती"),
            ("a lullaby floats in through the window", "खिड़की से एक लोरी अंदर आती है"),
            ("the stars count sheep together", "तारे मिलकर भेड़ें गिनते हैं"),
            ("a sleepy firefly turns off its light", "एक उनींदा जुगनू अपनी रोशनी बुझा देता है"),
        ),
    ),
    "fairy_tale": (
        (
            ("a palace made of glass", "काँच के बने एक महल"),
            ("an enchanted forest", "एक जादुई जंगल"),
            ("a kingdom above the clouds", "बादलों के ऊपर बसे एक राज्य"),
            ("a well that grants one wish", "एक इच्छा पूरी करने वाले कुएँ"),
            ("a tower covered in roses", "गुलाबों से ढकी एक मीनार"),
        ),
        (
            ("a frog asks for help", "एक मेंढक मदद माँगता है"),
            ("a spell turns every word into music", "एक जादू हर शब्द को संगीत बना देता है"),
            ("a golden key goes missing", "एक सुनहरी चाबी खो जाती है"),
            ("the kind giant forgets his name", "दयालु दैत्य अपना नाम भूल जाता है"),
        ),
    ),
    "friendship": (
        (
            ("a new neighbourhood", "एक नए मोहल्ले"),
            ("a school picnic by the lake", "झील किनारे स्कूल की पिकनिक"),
            ("a summer camp in the hills", "पहाड़ों पर एक समर कैंप"),
            ("a crowded village fair", "भीड़ भरे गाँव के मेले"),
            ("a treehouse built together", "मिलकर बनाए गए एक पेड़-घर"),
        ),
        (
            ("a misunderstanding must be put right", "एक ग़लतफ़हमी को दूर करना पड़ता है"),
            ("only one bicycle has to be shared", "एक ही साइकिल को बाँटना पड़ता है"),
            ("a promise is hard to keep", "एक वादा निभाना मुश्किल हो जाता है"),
            ("a shy newcomer needs a friend", "एक शर्मीले नए साथी को दोस्त की ज़रूरत है"),
        ),
    ),
    "funny": (
        (
            ("a kitchen where the pots argue", "बहस करते बर्तनों वाली एक रसोई"),
            ("a school where the bell hiccups", "हिचकी लेती घंटी वाले एक स्कूल"),
            ("a circus that lost its tent", "अपना तंबू खो चुके एक सर्कस"),
            ("a birthday party gone upside down", "उलट-पुलट हो चुकी एक जन्मदिन पार्टी"),
            ("a market full of talking vegetables", "बोलने वाली सब्ज़ियों से भरे बाज़ार"),
        ),
        (
            ("a hat starts to sing", "एक टोपी गाना गाने लगती है"),
            ("everyone starts walking backwards", "सब लोग उल्टा चलने लगते हैं"),
            ("the cake runs away", "केक भाग जाता है"),
            ("a sneeze blows the roof off", "एक छींक से छत उड़ जाती है"),
        ),
    ),
    "moral": (
        (
            ("a busy marketplace", "एक व्यस्त बाज़ार"),
            ("a small village school", "गाँव के एक छोटे स्कूल"),
            ("an orchard of mango trees", "आम के एक बाग़"),
            ("a town preparing for a festival", "त्योहार की तैयारी करते एक शहर"),
            ("a riverside ferry", "नदी किनारे की एक नाव"),
        ),
        (
            ("a small lie keeps growing", "एक छोटा-सा झूठ बढ़ता ही जाता है"),
            ("a purse full of coins is found", "सिक्कों से भरा एक बटुआ मिलता है"),
            ("sharing the last mango is hard", "आख़िरी आम बाँटना मुश्किल हो जाता है"),
            ("patience wins over speed", "धीरज जल्दबाज़ी से जीत जाता है"),
        ),
    ),
    "mystery": (
        (
            ("an old haveli with creaky doors", "चरमराते दरवाज़ों वाली एक पुरानी हवेली"),
            ("a museum after closing time", "रात के सुनसान संग्रहालय"),
            ("a train crossing the night", "रात में दौड़ती एक रेलगाड़ी"),
            ("a library with a locked room", "एक बंद कमरे वाले पुस्तकालय"),
            ("a foggy hill station", "कोहरे से ढके एक पहाड़ी शहर"),
        ),
        (
            ("footprints suddenly vanish", "पैरों के निशान अचानक ग़ायब हो जाते हैं"),
            ("a painting changes every night", "एक चित्र हर रात बदल जाता है"),
            ("a coded letter arrives", "एक गुप्त संदेश वाली चिट्ठी आती है"),
            ("the clock tower always stops at noon", "घंटाघर की घड़ी रोज़ एक ही पल रुकती है"),
        ),
    ),
    "nature": (
        (
            ("a forest in the monsoon", "मानसून के समय एक जंगल"),
            ("a coral reef", "एक मूँगे की चट्टान"),
            ("a village on the banks of the Ganga", "गंगा किनारे बसे एक गाँव"),
            ("a garden on a city rooftop", "शहर की एक छत पर बने बग़ीचे"),
            ("a valley full of flowers", "फूलों से भरी एक घाटी"),
        ),
        (
            ("the first rain of the year arrives", "साल की पहली बारिश आती है"),
            ("a seed will not sprout", "एक बीज अंकुरित नहीं होता"),
            ("the river needs cleaning", "नदी को सफ़ाई की ज़रूरत पड़ती है"),
            ("the migrating birds come back", "प्रवासी पक्षी लौट आते हैं"),
        ),
    ),
    "science": (
        (
            ("a laboratory under the sea", "समुद्र के नीचे बनी एक प्रयोगशाला"),
            ("a rocket on its way to Mars", "मंगल की ओर जाते एक रॉकेट"),
            ("a science fair at school", "स्कूल के विज्ञान मेले"),
            ("an observatory on a hilltop", "पहाड़ी पर बनी एक वेधशाला"),
            ("a city run by solar power", "सौर ऊर्जा से चलने वाले एक शहर"),
        ),
        (
            ("a magnet pulls in something strange", "एक चुंबक किसी अजीब चीज़ को खींच लेता है"),
            ("a shadow behaves oddly at noon", "दोपहर में एक परछाईं अजीब ढंग से चलती है"),
            ("a robot learns to paint", "एक रोबोट चित्र बनाना सीखता है"),
            ("a comet appears in the sky", "आसमान में एक धूमकेतु दिखाई देता है"),
        ),
    ),
}

# For a reader's own genres: places and twists that suit any theme; the template names the genre.
NEUTRAL_PLACES: tuple[Pair, ...] = (
    ("a small town by the sea", "समुद्र किनारे के एक छोटे शहर"),
    ("a garden behind the school", "स्कूल के पीछे वाले बग़ीचे"),
    ("a house at the end of the lane", "गली के आख़िरी घर"),
    ("a village during a festival", "त्योहार के दिनों में एक गाँव"),
    ("a park on a windy afternoon", "हवादार दोपहर में एक पार्क"),
)
NEUTRAL_TWISTS: tuple[Pair, ...] = (
    ("something unexpected happens", "कुछ अनोखा होता है"),
    ("a surprise waits around the corner", "मोड़ पर एक सरप्राइज़ इंतज़ार करता है"),
    ("an ordinary day turns special", "एक साधारण दिन ख़ास बन जाता है"),
    ("a question needs an answer", "एक सवाल का जवाब ढूँढ़ना पड़ता है"),
)
