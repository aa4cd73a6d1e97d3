"""QR codes as plain SVG markup (no inline styles, so the page keeps a strict CSP)."""

import qrcode
from markupsafe import Markup, escape


def svg(data: str, *, module_px: int = 6, label: str = "QR code of the setup link") -> Markup:
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    path = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix)
                   for x, dark in enumerate(row) if dark)
    pixels = size * module_px
    # Every interpolated value is a number, the path built above from numbers only, or the
    # escaped label.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{pixels}" '
        f'height="{pixels}" role="img" aria-label="{escape(label)}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )
