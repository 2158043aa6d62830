package web

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

const (
	qrModule = 6 // pixels per module: sharp on a 300 dpi print at 2.5 cm
	qrQuiet  = 4 // modules of white border the standard asks for
)

// qrPNG encodes text as a black-and-white PNG QR code. The library's own
// image writer pulls in a drawing package; the matrix is all we need, and
// the standard library writes the PNG.
func qrPNG(text string) ([]byte, error) {
	qr, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	var mw matrixWriter
	if err := qr.Save(&mw); err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	n := len(mw.bits)
	side := (n + 2*qrQuiet) * qrModule
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y, row := range mw.bits {
		for x, dark := range row {
			if !dark {
				continue
			}
			x0, y0 := (x+qrQuiet)*qrModule, (y+qrQuiet)*qrModule
			for dy := 0; dy < qrModule; dy++ {
				for dx := 0; dx < qrModule; dx++ {
					img.SetColorIndex(x0+dx, y0+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// matrixWriter receives the finished matrix from the library.
type matrixWriter struct{ bits [][]bool }

func (m *matrixWriter) Write(mat qrcode.Matrix) error {
	m.bits = mat.Bitmap()
	return nil
}

func (m *matrixWriter) Close() error { return nil }
