"""The QR code printed on each page of a statement, read back from the page as an image.

Each page is drawn by PDFium (pypdfium2) into a bitmap of its bottom-right corner, where the
template puts the code, and decoded by zxing-cpp. What a reader's phone sees is what counts,
whatever the text layer says: a code drawn over, replaced or missing is found here.
"""

from __future__ import annotations

MM = 72 / 25.4
CORNER_WIDTH_MM, CORNER_HEIGHT_MM = 60, 30  # around the 17 mm code in the page's margin
SCALE = 4  # 288 dpi: a module of the code is some 8 pixels


def page_codes(pdf: bytes) -> list[list[str]]:
    """For each page, the text of every QR code found in its bottom-right corner."""
    import pypdfium2 as pdfium  # imported here: they load native libraries
    import zxingcpp

    document = pdfium.PdfDocument(pdf)
    try:
        found = []
        for page in document:
            width, height = page.get_size()
            crop = (width - CORNER_WIDTH_MM * MM, 0, 0, height - CORNER_HEIGHT_MM * MM)
            bitmap = page.render(scale=SCALE, crop=crop, grayscale=True)
            image = bitmap.to_pil()
            codes = zxingcpp.read_barcodes(
                image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
            )
            found.append([code.text for code in codes])
            page.close()
        return found
    finally:
        document.close()
