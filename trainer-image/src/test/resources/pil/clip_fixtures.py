# Regenerates the fixtures of ClipImageProcessorTest with Pillow (python3-pil) and numpy: run with python3, paste the lines.
# Follows transformers CLIPImageProcessor (shortest-edge PIL bicubic resize, centre crop) and LLaVA expand2square.
import numpy as np
from PIL import Image
W, H = 13, 9
arr = np.zeros((H, W, 3), dtype=np.uint8)
for y in range(H):
    for x in range(W):
        for c in range(3):
            arr[y, x, c] = (x * 37 + y * 91 + c * 53 + x * y * 7) % 256
mean = [0.48145466, 0.4578275, 0.40821073]

def clip(img, shortest, crop):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_long = int(shortest * long / short)
    ow, oh = (shortest, new_long) if w <= h else (new_long, shortest)
    r = np.array(img.resize((ow, oh), resample=Image.BICUBIC, reducing_gap=None))
    top = (oh - crop) // 2
    left = (ow - crop) // 2
    return r[top:top + crop, left:left + crop, :]

def expand2square(img, bg):
    w, h = img.size
    if w == h: return img
    if w > h:
        res = Image.new(img.mode, (w, w), bg); res.paste(img, (0, (w - h) // 2)); return res
    res = Image.new(img.mode, (h, h), bg); res.paste(img, ((h - w) // 2, 0)); return res

img = Image.fromarray(arr)
cases = {
  "shrink6": clip(img, 6, 6),
  "grow12": clip(img, 12, 12),
  "pad6": clip(expand2square(img, tuple(int(x * 255) for x in mean)), 6, 6),
}
for name, out in cases.items():
    chw = out.transpose(2, 0, 1).reshape(-1)
    print(name, ",".join(str(int(v)) for v in chw))
