"""The offline vision provider: YOLOv3-tiny objects + measured colours, light and composition, described in
the story's language. Honest by construction: it only names what it detected."""

from __future__ import annotations

import asyncio
import io
import threading

import numpy as np
from PIL import Image

from media_service.uploads import MAX_PIXELS
from media_service.vision.base import ImageDescription, Language
from media_service.vision.describe import describe
from media_service.vision.scene import measure
from media_service.vision.yolo import Detector

MAX_ANALYSIS_SIDE = 1024  # detection runs at 416 px anyway; colours at 64 px


class LocalAnalyser:
    name = "local"

    def __init__(self) -> None:
        self._local = threading.local()  # cv2.dnn networks are not safe to share between threads

    def _detector(self) -> Detector:
        detector: Detector | None = getattr(self._local, "detector", None)
        if detector is None:
            detector = self._local.detector = Detector()
        return detector

    async def describe(self, image: bytes, *, language: Language) -> ImageDescription:
        return await asyncio.to_thread(self.describe_sync, image, language)

    def describe_sync(self, image: bytes, language: Language) -> ImageDescription:
        with Image.open(io.BytesIO(image)) as opened:
            if opened.width * opened.height > MAX_PIXELS:  # callers pass cleaned uploads; never decode a bomb
                raise ValueError("image has too many pixels; clean it with media_service.uploads first")
            opened.draft("RGB", (MAX_ANALYSIS_SIDE, MAX_ANALYSIS_SIDE))  # JPEG: decode at reduced size
            picture = opened.convert("RGB")
        picture.thumbnail((MAX_ANALYSIS_SIDE, MAX_ANALYSIS_SIDE))
        objects = self._detector().detect(np.asarray(picture))
        scene = measure(picture, objects)
        return ImageDescription(describe(objects, scene, language), language, self.name, objects, recognised=bool(objects))
