import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { decodeImage, decodePgm } from "../../../tools/face/image-file";

const bytes = (text: string, tail: number[] = []) => new Uint8Array([...Buffer.from(text, "latin1"), ...tail]);

describe("photo decoding (PNG, JPEG, PGM)", function () {
  it("reads binary PGM with a comment, scaling maxval to 8 bits and replicating grey into RGB", function () {
    const img = decodePgm(bytes("P5\n# made by hand\n2 2\n15\n", [0, 15, 5, 10]));
    assert.equal(img.width, 2);
    assert.equal(img.height, 2);
    assert.deepEqual([...img.data], [0, 0, 0, 255, 255, 255, 85, 85, 85, 170, 170, 170]);
  });

  it("reads ASCII PGM and 16-bit binary PGM", function () {
    assert.deepEqual([...decodePgm(bytes("P2 2 1 255 7 200\n")).data], [7, 7, 7, 200, 200, 200]);
    assert.deepEqual([...decodePgm(bytes("P5 1 1 65535\n", [0xff, 0xff])).data], [255, 255, 255]);
  });

  it("refuses truncated or malformed PGM with the file name in the message", function () {
    assert.throws(() => decodePgm(bytes("P5\n4 4\n255\n", [1, 2, 3]), "a.pgm"), /a\.pgm: PGM pixel data is truncated/);
    assert.throws(() => decodePgm(bytes("P5\n4\n"), "b.pgm"), /b\.pgm: truncated PGM header/);
    assert.throws(() => decodePgm(bytes("P5\n0 4 255\n"), "c.pgm"), /c\.pgm: bad image size/);
  });

  it("decodes PNG and JPEG by content, whatever the file is called", function () {
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([10, 20, 30, 255, 40, 50, 60, 255]);
    const fromPng = decodeImage(new Uint8Array(PNG.sync.write(png)), "photo.jpg");
    assert.deepEqual([...fromPng.data], [10, 20, 30, 40, 50, 60]);
    const grey = Buffer.alloc(16 * 16 * 4, 128);
    const encoded = jpeg.encode({ data: grey, width: 16, height: 16 }, 95).data;
    const fromJpeg = decodeImage(new Uint8Array(encoded), "photo.png");
    assert.equal(fromJpeg.width, 16);
    assert.ok(fromJpeg.data.every((v) => Math.abs(v - 128) <= 2));
  });

  it("refuses anything that is not an image, and a corrupt PNG, with a clear error", function () {
    assert.throws(() => decodeImage(bytes("hello"), "notes.txt"), /notes\.txt: not a PNG, JPEG or PGM image/);
    const png = PNG.sync.write(new PNG({ width: 4, height: 4 }));
    assert.throws(() => decodeImage(new Uint8Array(png.subarray(0, 40)), "cut.png"), /cut\.png: unreadable PNG/);
  });
});
