import { crc32, deflateSync } from 'node:zlib';

/** Small real files for tests: their types are recognised from the bytes, as an upload's would be. */

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG of `size`×`size` pixels in one colour. */
export function tinyPng(size = 2, rgb: [number, number, number] = [79, 70, 229]): Buffer {
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())]);
  return pngOf(size, size, Buffer.concat(Array.from({ length: size }, () => row)));
}

/** PNG file bytes for truecolour rows that each start with their filter byte. */
function pngOf(width: number, height: number, rows: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A landscape picture (sky, mountain, meadow) in the given size, for screenshots that look real. */
export function samplePhoto(
  width = 360,
  height = 240,
  hue: [number, number, number] = [15, 118, 110],
): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const peak = height * 0.35 + Math.abs(x - width * 0.6) * 0.7;
      const meadow = height * 0.78 + Math.sin(x / 30) * 6;
      let rgb: [number, number, number];
      if (y > meadow) rgb = [74 + (y % 7), 150 - ((y - meadow) >> 1), 60];
      else if (y > peak) rgb = [hue[0] + (y >> 3), hue[1] - (y >> 4), hue[2] - (y >> 4)];
      else rgb = [150 + (y >> 1), 200 + (y >> 3), 245];
      row.set(
        rgb.map((v) => Math.max(0, Math.min(255, Math.round(v)))),
        1 + x * 3,
      );
    }
    rows.push(row);
  }
  return pngOf(width, height, Buffer.concat(rows));
}

/** A minimal PDF (a download, never inline). */
export function tinyPdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n' +
      'trailer<</Root 1 0 R>>\n%%EOF\n',
  );
}

/** An HTML page with a script: what an attacker would upload renamed as an image. */
export const hostileHtml = Buffer.from(
  '<!doctype html><html><body><h1 id="pwned">PWNED</h1><script>document.title="pwned"</script></body></html>',
);

/** An SVG with a script: renders (and runs) when served as image/svg+xml. */
export const hostileSvg = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
);
