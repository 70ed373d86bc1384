"""Rows → chat prompts with resized images (:class:`Prompt`), too-long prompts filtered.

For each row:

1. The user turn: ``template`` (Jinja, rendered in a sandbox; variables ``problem``, ``choices``,
   ``choices_text``, ``answer_type``, ``precision``, ``unit``, ``task``, ``id``, ``format_instruction``) or, by
   default, ``problem`` followed by the answer-format instruction of ``answer_format``.
2. ``<image>`` and ``<video>`` markers split it into interleaved image, video and text parts (several of each
   per prompt are fine); a row without images or videos takes the text path (plain string content).
3. The processor's chat template (``add_generation_prompt=True``), with ``system_prompt`` if given.
4. Images are resized by qwen-vl-utils (``fetch_image``) to ``min_pixels .. max_pixels`` (sides multiples of
   2 × the processor's patch size: 28 for Qwen2/2.5-VL, 32 for Qwen3-VL).
5. The prompt length is counted *after* each image placeholder expands to its image tokens (the grid the
   model's image processor will produce); prompts longer than ``max_prompt_length`` are dropped and counted.
6. Videos (``row["videos"]``: each a list of frames, or a video file path read with qwen-vl-utils' video reader)
   are sampled to at most ``video_max_frames`` frames (a frame list is taken at ``video_fps`` frames per second;
   a file is sampled at ``video_fps``), resized like images within ``video_max_pixels`` per frame, and kept as
   :class:`Video` (frames ``[T, C, H, W]``, T even, and their rate). Their prompt length is the processor's own
   count. A video that cannot be read is skipped and counted like an unreadable image.

Example (tiny Qwen2-VL)::

    prompts, report = build_prompts(rows, processor, answer_format="answer", max_prompt_length=512)
    prompts[0].text  # '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n<|im_start|>user\\n
                     #  <|vision_start|><|image_pad|><|vision_end|>How many circles ...<|im_end|>\\n...'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmagrae.data.schema import IMAGE_MARKER, VIDEO_MARKER, lettered_choices
from mmagrae.data.skips import SkipReport

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from PIL import Image

FORMAT_INSTRUCTIONS: dict[str, str] = {
    "think_answer": "First think step by step inside <think> </think> tags, then give the final answer inside "
                    "<answer> </answer> tags.",
    "answer": "Give the final answer inside <answer> </answer> tags.",
    "boxed": "Put the final answer in \\boxed{}.",
}


@dataclass
class Video:
    """One video as the model sees it: sampled, resized frames and the rate they were sampled at."""

    frames: torch.Tensor
    """``[T, C, H, W]`` uint8 RGB (qwen-vl-utils' layout, rounded so every engine sees the same pixels), T even,
    sides multiples of 2 × patch size."""
    fps: float = 2.0
    """Frames per second of ``frames`` (sets Qwen2.5-VL's temporal positions and Qwen3-VL's timestamps)."""

    def metadata(self) -> dict[str, Any]:
        """The ``video_metadata`` transformers' Qwen3-VL processor and vLLM read (frames already sampled)."""
        n = int(self.frames.shape[0])
        return {"fps": float(self.fps), "frames_indices": list(range(n)), "total_num_frames": n}


@dataclass
class Prompt:
    """One chat-formatted prompt with its (already resized) images: what a rollout engine samples from."""

    text: str
    """The prompt after the chat template: one ``<|vision_start|><|image_pad|><|vision_end|>`` per image."""
    images: list[Image.Image] = field(default_factory=list)
    """PIL images in the order of their placeholders; [] on the text path."""
    row: dict[str, Any] | None = None
    """The source data row (answer, choices, ...), passed through untouched."""
    num_tokens: int = 0
    """Prompt length in tokens after the image placeholders are expanded (0 = not measured)."""
    videos: list[Video] = field(default_factory=list)
    """Videos in the order of their placeholders (``<|vision_start|><|video_pad|><|vision_end|>``); [] if none."""


@lru_cache(maxsize=32)
def _compile(template: str):
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(keep_trailing_newline=False, autoescape=False)
    return env.from_string(template)


def load_template(template: str | None) -> str | None:
    """A template string, or the contents of a ``.jinja`` / ``.j2`` / ``.txt`` file it names."""
    if template and template.endswith((".jinja", ".j2", ".txt")) and Path(template).is_file():
        return Path(template).read_text(encoding="utf-8")
    return template


def render_user_text(row: dict[str, Any], *, template: str | None = None, answer_format: str | None = "answer") -> str:
    """The user turn's text (with ``<image>`` markers) for one row.

    >>> render_user_text({"problem": "<image>How many?", "choices": None}, answer_format="answer")
    '<image>How many?\\nGive the final answer inside <answer> </answer> tags.'
    >>> render_user_text({"problem": "2+2?", "choices": ["3", "4"]}, template="Q: {{ problem }} [{{ choices_text }}]")
    'Q: 2+2? [(A) 3 (B) 4]'
    """
    if answer_format is not None and answer_format not in FORMAT_INSTRUCTIONS:
        raise ValueError(f"unknown answer_format {answer_format!r}; allowed: {', '.join(FORMAT_INSTRUCTIONS)}")
    instruction = FORMAT_INSTRUCTIONS[answer_format] if answer_format else ""
    choices = row.get("choices") or None
    if template is None:
        return f"{row['problem']}\n{instruction}" if instruction else row["problem"]
    values = {
        "problem": row["problem"],
        "choices": choices,
        "choices_text": lettered_choices(choices),
        "answer_type": row.get("answer_type"),
        "precision": row.get("precision"),
        "unit": row.get("unit"),
        "task": row.get("task"),
        "id": row.get("id"),
        "format_instruction": instruction,
    }
    return _compile(template).render(**values).strip()


def _content(text: str, n_images: int, n_videos: int = 0) -> str | list[dict[str, str]]:
    """Interleave image and video parts at the ``<image>`` / ``<video>`` markers (when a kind's markers do not
    match its count: those media first, images before videos).

    >>> _content("<video>What moves?", 0, 1)
    [{'type': 'video'}, {'type': 'text', 'text': 'What moves?'}]
    """
    if n_images == 0 and n_videos == 0:
        return text.replace(IMAGE_MARKER, "").replace(VIDEO_MARKER, "")
    lead: list[dict[str, str]] = []
    for marker, kind, count in ((IMAGE_MARKER, "image", n_images), (VIDEO_MARKER, "video", n_videos)):
        if text.count(marker) != count:
            text = text.replace(marker, "")
            lead += [{"type": kind}] * count
    parts: list[dict[str, str]] = list(lead)
    pattern = re.compile(f"({re.escape(IMAGE_MARKER)}|{re.escape(VIDEO_MARKER)})")
    for piece in pattern.split(text):
        if piece == IMAGE_MARKER:
            parts.append({"type": "image"})
        elif piece == VIDEO_MARKER:
            parts.append({"type": "video"})
        elif piece:
            parts.append({"type": "text", "text": piece})
    return parts


def chat_text(processor: Any, text: str, *, n_images: int = 0, n_videos: int = 0,
              system_prompt: str | None = None) -> str:
    """The processor's chat template applied to one user turn (``add_generation_prompt=True``): ``text`` with
    its images and videos placed at its ``<image>`` / ``<video>`` markers (before the text when the markers do
    not match the counts: :func:`_content`), after a system turn when ``system_prompt`` is given."""
    messages: list[dict[str, Any]] = []
    if system_prompt:
        messages.append({"role": "system", "content": system_prompt})
    messages.append({"role": "user", "content": _content(text, n_images, n_videos)})
    return processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def resize_image(image: Any, *, min_pixels: int, max_pixels: int, patch_size: int = 14) -> Any:
    """qwen-vl-utils resizing: sides multiples of ``2 * patch_size`` (28 for Qwen2/2.5-VL, 32 for Qwen3-VL), area
    within [min_pixels, max_pixels], RGB."""
    from qwen_vl_utils import fetch_image

    return fetch_image({"image": image, "min_pixels": min_pixels, "max_pixels": max_pixels},
                       image_patch_size=patch_size)


def load_video(video: Any, *, max_pixels: int, min_pixels: int = 3136, patch_size: int = 14, fps: float = 2.0,
               max_frames: int = 16) -> Video:
    """A row's video (a list of frames: PIL images, paths or bytes; or a video file path) as :class:`Video`.

    A frame list is taken as sampled at ``fps``: more than ``max_frames`` frames are thinned uniformly (the
    rate drops accordingly). A file is read with qwen-vl-utils' reader (torchcodec, decord or torchvision,
    whichever is installed; PyAV with qwen-vl-utils' frame sampling where none of them can read files) and
    sampled at ``fps``, at most ``max_frames`` frames. Frames are resized to sides
    multiple of ``2 * patch_size`` within ``[min_pixels, max_pixels]`` per frame; an odd frame count gets its
    last frame repeated (the models merge frames in pairs). Raises ``ValueError`` / ``OSError`` for a video
    that cannot be read.
    """
    import torch
    from qwen_vl_utils import fetch_video

    ele: dict[str, Any] = {"min_pixels": min_pixels, "max_pixels": max_pixels}
    if isinstance(video, (str, Path)):
        if str(video).startswith(("http://", "https://")):
            raise ValueError("video URLs are not fetched")
        if not Path(video).is_file():
            raise FileNotFoundError(f"no video file {video}")
        if _qwen_video_reader_works():
            ele.update(video=str(video), fps=fps, max_frames=max(2, max_frames))
            try:
                frames, rate = fetch_video(ele, image_patch_size=patch_size, return_video_sample_fps=True)
            except Exception as err:  # the readers raise anything from RuntimeError to av.error.*
                raise ValueError(f"cannot decode {video}: {type(err).__name__}") from err
            return Video(frames=frames.round().clamp(0, 255).to(torch.uint8), fps=float(rate))
        frames_in, rate = _read_with_pyav(Path(video), fps=fps, max_frames=max_frames)
        ele.update(video=frames_in, sample_fps=rate)
        frames = fetch_video(ele, image_patch_size=patch_size)  # [T, C, H, W]: resized, padded to even T
        return Video(frames=frames.round().clamp(0, 255).to(torch.uint8), fps=rate)
    frames_in = list(video or [])
    if not frames_in:
        raise ValueError("a video without frames")
    rate = float(fps)
    if len(frames_in) > max_frames:
        step = len(frames_in) / max_frames
        frames_in = [frames_in[int(i * step)] for i in range(max_frames)]
        rate = fps / step
    ele.update(video=[_frame_image(f) for f in frames_in], sample_fps=rate)
    frames = fetch_video(ele, image_patch_size=patch_size)  # [T, C, H, W] float after a bicubic resize
    return Video(frames=frames.round().clamp(0, 255).to(torch.uint8), fps=rate)


def _qwen_video_reader_works() -> bool:
    """True when qwen-vl-utils has a reader that can open a file: torchcodec or decord, or a torchvision that
    still has ``io.read_video`` (removed in torchvision 0.26)."""
    from qwen_vl_utils.vision_process import get_video_reader_backend

    backend = get_video_reader_backend()
    if backend != "torchvision":
        return True
    import torchvision

    return hasattr(torchvision.io, "read_video")


def _read_with_pyav(path: Path, *, fps: float, max_frames: int) -> tuple[list[Any], float]:
    """Decode a file with PyAV when qwen-vl-utils has no working reader: frames sampled as qwen-vl-utils samples
    them (``smart_nframes`` frames at ``fps``, at most ``max_frames``, evenly spaced), and their rate."""
    from qwen_vl_utils.vision_process import smart_nframes

    try:
        import av
    except ImportError as err:
        raise ValueError(f"cannot decode {path}: no video decoder installed (torchcodec, decord or av)") from err
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            video_fps = float(stream.average_rate or 0) or fps
            decoded = [frame.to_image() for frame in container.decode(stream)]
    except Exception as err:  # av.error.* for a corrupt or foreign file
        raise ValueError(f"cannot decode {path}: {type(err).__name__}") from err
    if not decoded:
        raise ValueError(f"cannot decode {path}: no frames")
    total = len(decoded)
    if total < 2:
        return decoded, fps
    n = smart_nframes({"fps": fps, "max_frames": max(2, min(max_frames, total))}, total_frames=total,
                      video_fps=video_fps)
    index = [round(i * (total - 1) / max(1, n - 1)) for i in range(n)]  # torch.linspace(0, total - 1, n).round()
    return [decoded[i] for i in index], n / total * video_fps


def _frame_image(frame: Any) -> Any:
    """A frame as a PIL image: PIL images pass; paths and ``{"bytes"|"path"}`` structs are opened (no URLs)."""
    from PIL import Image

    if isinstance(frame, Image.Image):
        return frame.convert("RGB")
    if isinstance(frame, dict):
        frame = frame.get("bytes") or frame.get("path")
    if isinstance(frame, (bytes, bytearray)):
        import io

        with Image.open(io.BytesIO(frame)) as img:
            return img.convert("RGB")
    if isinstance(frame, (str, Path)) and not str(frame).startswith(("http://", "https://")):
        with Image.open(frame) as img:
            return img.convert("RGB")
    raise ValueError(f"unreadable video frame of type {type(frame).__name__}")


def encode_prompts(processor: Any, prompts: Sequence[Prompt], *, padding_side: str = "left") -> dict[str, Any]:
    """Tokenise prompts (and process their images and videos) into one padded batch, as generate and the trainer
    need it.

    Returns the processor's dict: ``input_ids`` / ``attention_mask`` ``[B, P]`` and, when any prompt has images,
    ``pixel_values`` ``[num_patches, D]``, ``image_grid_thw`` ``[num_images, 3]`` and ``mm_token_type_ids``; with
    videos ``pixel_values_videos``, ``video_grid_thw`` (and Qwen2.5-VL's ``second_per_grid_ts``). The videos'
    rate goes to the processor as ``fps`` (all videos of one call share it: the first one's) and, for processors
    that write timestamps (Qwen3-VL), as ``video_metadata`` with frame sampling off (frames are already sampled).
    """
    texts = [p.text for p in prompts]
    images = [img for p in prompts for img in p.images]
    videos = [v for p in prompts for v in p.videos]
    tok = getattr(processor, "tokenizer", processor)
    if not images and not videos:
        if tok is processor:
            return dict(tok(texts, padding=True, padding_side=padding_side, return_tensors="pt",
                            add_special_tokens=False))
        return dict(processor(text=texts, padding=True, padding_side=padding_side, return_tensors="pt"))
    kwargs: dict[str, Any] = {}
    if images:  # Qwen processors take one flat list; the others (Idefics3, ...) one list per prompt
        kwargs["images"] = images if qwen_style(processor) else [list(p.images) for p in prompts]
    if videos:
        kwargs["videos"] = [v.frames for v in videos]
        kwargs["fps"] = videos[0].fps
        if hasattr(processor, "_calculate_timestamps"):  # Qwen3-VL writes "<t seconds>" before each frame pair
            kwargs.update(video_metadata=[v.metadata() for v in videos], do_sample_frames=False)
    return dict(processor(text=texts, padding=True, padding_side=padding_side, return_tensors="pt", **kwargs))


def qwen_style(processor: Any) -> bool:
    """True for Qwen2-VL-style processors (``<|image_pad|>`` placeholders expanded to a merged patch grid), whose
    image token counts and positions mmagrae computes itself; other VLM families go through their processor."""
    tok = getattr(processor, "tokenizer", processor)
    return (tok is not processor and "<|image_pad|>" in tok.get_vocab()
            and hasattr(getattr(processor, "image_processor", None), "merge_size"))


def processor_patch_size(processor: Any) -> int:
    """The vision patch size of a VL processor's image processor (14 for Qwen2/2.5-VL, 16 for Qwen3-VL)."""
    return int(getattr(getattr(processor, "image_processor", None), "patch_size", 14) or 14)


def image_token_count(processor: Any, image: Any) -> int:
    """How many ``<|image_pad|>`` tokens the processor expands one image into (its own resize applied)."""
    from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize

    ip = processor.image_processor
    patch, merge = int(getattr(ip, "patch_size", 14)), int(getattr(ip, "merge_size", 2))
    size = getattr(ip, "size", None) or {}
    get = size.get if isinstance(size, dict) else (lambda k, d=None: getattr(size, k, d))
    min_pixels = get("shortest_edge", None) or getattr(ip, "min_pixels", 56 * 56)
    max_pixels = get("longest_edge", None) or getattr(ip, "max_pixels", 28 * 28 * 1280)
    height, width = smart_resize(image.height, image.width, factor=patch * merge, min_pixels=min_pixels,
                                 max_pixels=max_pixels)
    return (height // patch) * (width // patch) // (merge * merge)


def build_prompts(rows: Sequence[dict[str, Any]], processor: Any, *, template: str | None = None,
                  system_prompt: str | None = None, answer_format: str | None = "answer",
                  max_prompt_length: int | None = 1024, min_pixels: int = 3136,
                  max_pixels: int = 401408, video_fps: float = 2.0, video_max_frames: int = 16,
                  video_max_pixels: int | None = None, resize_images: bool = True,
                  report: SkipReport | None = None) -> tuple[list[Prompt], SkipReport]:
    """Chat prompts for ``rows`` (see the module docstring); returns ``(prompts, report)``.

    ``processor`` is the model's processor (VL) or tokenizer (text models: rows with images or videos are
    skipped; so are rows with videos for a processor without a video processor). ``Prompt.row`` is the source
    row; ``Prompt.num_tokens`` the length after image- and video-token expansion. ``video_fps``,
    ``video_max_frames`` and ``video_max_pixels`` (per frame; None = ``max_pixels``) shape videos
    (:func:`load_video`). ``resize_images=False`` keeps the images as given (the processor's own resizing then
    applies; ``eval run`` of a model not trained by mmagrae, without ``--min-pixels``/``--max-pixels``).
    ``eval run`` builds its prompts here too (the benchmark's question as ``problem``, ``answer_format=None``),
    so an evaluated prompt is built exactly as a trained one. ``report``: count into this report instead of a
    new one, and leave the warning to the caller.
    """
    template = load_template(template)
    tokenizer = getattr(processor, "tokenizer", processor)
    is_vl = tokenizer is not processor and hasattr(processor, "image_processor")
    image_pad = "<|image_pad|>"
    own_report = report is None
    report = SkipReport("prompts") if report is None else report
    prompts: list[Prompt] = []
    for row in rows:
        images = list(row.get("images") or [])
        raw_videos = list(row.get("videos") or [])
        if images and not is_vl:
            report.skip("images on a text-only model", row.get("id"))
            continue
        if raw_videos and (not is_vl or getattr(processor, "video_processor", None) is None):
            report.skip("videos on a model without a video processor", row.get("id"))
            continue
        text = render_user_text(row, template=template, answer_format=answer_format)
        chat = chat_text(processor, text, n_images=len(images), n_videos=len(raw_videos),
                         system_prompt=system_prompt)
        patch = processor_patch_size(processor) if is_vl else 14
        try:
            resized = [resize_image(img, min_pixels=min_pixels, max_pixels=max_pixels, patch_size=patch)
                       for img in images] if resize_images else images
        except (OSError, ValueError) as err:  # pragma: no cover - images were decoded by load_rows
            report.skip(f"unreadable image ({type(err).__name__})", row.get("id"))
            continue
        try:
            videos = [load_video(v, min_pixels=min_pixels, max_pixels=video_max_pixels or max_pixels,
                                 patch_size=patch, fps=video_fps, max_frames=video_max_frames) for v in raw_videos]
        except (OSError, ValueError):
            report.skip("unreadable video", row.get("id"))  # the loader's reason: counted together
            continue
        if videos or (resized and not qwen_style(processor)):
            # the processor's own count: timestamps (Qwen3-VL), frame merging, other families' image layouts
            prompt = Prompt(text=chat, images=resized, row=row, videos=videos)
            n_tokens = int(encode_prompts(processor, [prompt])["input_ids"].shape[1])
            if max_prompt_length is not None and n_tokens > max_prompt_length:
                report.skip("prompt too long", row.get("id"))
                continue
            prompt.num_tokens = n_tokens
            prompts.append(prompt)
            report.keep()
            continue
        n_tokens = len(tokenizer(chat, add_special_tokens=False)["input_ids"])
        if resized:
            n_tokens += sum(image_token_count(processor, img) - 1 for img in resized)
            if chat.count(image_pad) != len(resized):
                report.skip("image placeholder mismatch", row.get("id"))
                continue
        if max_prompt_length is not None and n_tokens > max_prompt_length:
            report.skip("prompt too long", row.get("id"))
            continue
        prompts.append(Prompt(text=chat, images=resized, row=row, num_tokens=n_tokens))
        report.keep()
    if own_report:
        report.warn()
    return prompts, report
