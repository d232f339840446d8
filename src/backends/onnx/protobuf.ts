/**
 * A minimal protobuf (proto3 wire format) writer: just enough to serialise an ONNX model.
 *
 * A message is built as a list of byte chunks and only joined once at the end, so that large
 * weight blobs (raw_data of initializers, tens of MiB) are copied once, not once per nesting level.
 *
 * Wire types used: 0 (varint: ints, enums, bools), 2 (length-delimited: strings, bytes, nested
 * messages, packed repeated ints), 5 (32-bit: float).
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

/** Varint bytes of a non-negative integer below 2^53, or of a negative int64 (ten bytes, two's complement). */
function varintBytes(value: number): number[] {
  if (!Number.isInteger(value)) throw new Error(`protobuf varint: ${value} is not an integer`);
  const bytes: number[] = [];
  if (value < 0) {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    return bytes;
  }
  if (value > Number.MAX_SAFE_INTEGER) throw new Error(`protobuf varint: ${value} is too large`);
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
}

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  get byteLength(): number {
    return this.size;
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private tag(field: number, wireType: number): void {
    this.push(Uint8Array.from(varintBytes(field * 8 + wireType)));
  }

  /** int32/int64/enum/bool field (varint). */
  int(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    this.push(Uint8Array.from(varintBytes(value)));
    return this;
  }

  /** float field (fixed 32-bit, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.push(Uint8Array.from(varintBytes(value.length)));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** Embedded message field: the nested writer's chunks are adopted, not copied. */
  message(field: number, nested: ProtoWriter): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.push(Uint8Array.from(varintBytes(nested.size)));
    for (const chunk of nested.chunks) this.push(chunk);
    return this;
  }

  /** repeated int64 field, packed (what proto3 parsers expect by default; they also accept unpacked). */
  packedInts(field: number, values: readonly number[]): this {
    const body = values.flatMap(varintBytes);
    return this.bytes(field, Uint8Array.from(body));
  }

  /** The serialised message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
