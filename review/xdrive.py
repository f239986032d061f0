"""XTEST key presses / clicks and root-window screenshots on an Xvfb display (python-xlib)."""
import sys, time, subprocess
from Xlib import X, XK, display as xdisplay
from Xlib.ext import xtest

d = xdisplay.Display()
root = d.screen().root

def key(name, shift=False):
    sym = XK.string_to_keysym(name)
    code = d.keysym_to_keycode(sym)
    if shift:
        xtest.fake_input(d, X.KeyPress, d.keysym_to_keycode(XK.string_to_keysym("Shift_L")))
    xtest.fake_input(d, X.KeyPress, code); d.sync(); time.sleep(0.03)
    xtest.fake_input(d, X.KeyRelease, code)
    if shift:
        xtest.fake_input(d, X.KeyRelease, d.keysym_to_keycode(XK.string_to_keysym("Shift_L")))
    d.sync(); time.sleep(0.05)

def click(x, y):
    xtest.fake_input(d, X.MotionNotify, x=x, y=y); d.sync(); time.sleep(0.05)
    xtest.fake_input(d, X.ButtonPress, 1); d.sync(); time.sleep(0.05)
    xtest.fake_input(d, X.ButtonRelease, 1); d.sync(); time.sleep(0.05)

def shot(path):
    g = root.get_geometry()
    img = root.get_image(0, 0, g.width, g.height, X.ZPixmap, 0xffffffff)
    raw = img.data
    ppm = bytearray(b"P6 %d %d 255\n" % (g.width, g.height))
    px = bytearray(g.width * g.height * 3)
    px[0::3] = raw[2::4]; px[1::3] = raw[1::4]; px[2::3] = raw[0::4]
    ppm += px
    tmp = path + ".ppm"
    open(tmp, "wb").write(ppm)
    subprocess.run(["/work/wt/review15/.venv/bin/python", "-c", "import sys; from PIL import Image; Image.open(sys.argv[1]).save(sys.argv[2])", tmp, path], check=True)
    subprocess.run(["rm", tmp])

# commands: k:NAME  K:NAME(shift)  c:X,Y  s:PATH  w:SECONDS  t:TEXT
for cmd in sys.argv[1:]:
    op, _, arg = cmd.partition(":")
    if op == "k": key(arg)
    elif op == "K": key(arg, shift=True)
    elif op == "c": x, y = map(int, arg.split(",")); click(x, y)
    elif op == "s": shot(arg)
    elif op == "w": time.sleep(float(arg))
    elif op == "t":
        for ch in arg: key(ch)
