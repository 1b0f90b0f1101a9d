/**
 * Small files for tests and bug reports: a NIfTI-1 writer built byte by byte from the NIfTI-1 header layout
 * (independent of the reader under test) and a PNG writer. Not part of the public API.
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { encodePng } from '../src/io.ts';

export interface NiftiFixture {
  /** Array shape `[ni, nj, nk]` (or `[ni, nj]`); values row-major in that order (the first axis is i). */
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
  /** pixdim[1..n]. */
  readonly spacing?: readonly number[];
  /** 2 = uint8, 4 = int16, 16 = float32. */
  readonly datatype?: 2 | 4 | 16;
  readonly sclSlope?: number;
  readonly sclInter?: number;
}

/**
 * A single-file NIfTI-1 (`n+1`): 348-byte header, 4 zero extension bytes, data from byte 352, little endian,
 * stored with i fastest as the format requires.
 */
export function niftiBytes(f: NiftiFixture): Buffer {
  const datatype = f.datatype ?? 16;
  const bytesPer = datatype === 2 ? 1 : datatype === 4 ? 2 : 4;
  const dims = [...f.shape];
  const count = dims.reduce((a, b) => a * b, 1);
  const buf = Buffer.alloc(352 + count * bytesPer);
  buf.writeInt32LE(348, 0); // sizeof_hdr
  buf.writeInt16LE(dims.length, 40); // dim[0]
  for (let a = 0; a < 7; a++) buf.writeInt16LE(a < dims.length ? dims[a] : 1, 42 + 2 * a); // dim[1..7]
  buf.writeInt16LE(datatype, 70);
  buf.writeInt16LE(8 * bytesPer, 72); // bitpix
  buf.writeFloatLE(1, 76); // pixdim[0] = qfac
  for (let a = 0; a < 7; a++) buf.writeFloatLE(a < dims.length ? (f.spacing?.[a] ?? 1) : 1, 80 + 4 * a);
  buf.writeFloatLE(352, 108); // vox_offset
  buf.writeFloatLE(f.sclSlope ?? 1, 112);
  buf.writeFloatLE(f.sclInter ?? 0, 116);
  buf.writeUInt8(10, 123); // xyzt_units: mm, s
  buf.write('n+1\0', 344, 'latin1'); // magic
  const [ni, nj = 1, nk = 1] = dims;
  for (let i = 0; i < ni; i++) {
    for (let j = 0; j < nj; j++) {
      for (let k = 0; k < nk; k++) {
        const v = f.data[(i * nj + j) * nk + k];
        const o = 352 + bytesPer * (i + ni * (j + nj * k));
        if (datatype === 2) buf.writeUInt8(v, o);
        else if (datatype === 4) buf.writeInt16LE(v, o);
        else buf.writeFloatLE(v, o);
      }
    }
  }
  return buf;
}

/** Writes a NIfTI-1 file; gzipped when the path ends in `.gz`. */
export function writeNifti(path: string, f: NiftiFixture): void {
  const bytes = niftiBytes(f);
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(bytes) : bytes);
}

/** Writes a grayscale PNG of `rows` nested arrays (8- or 16-bit values as given). */
export function writeGrayPng(path: string, rows: readonly (readonly number[])[], bitDepth: 8 | 16 = 8): void {
  writeFileSync(path, encodePng({ width: rows[0].length, height: rows.length, data: rows.flat(), bitDepth }));
}
