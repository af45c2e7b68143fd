// SHA-256 in JavaScript (@noble/hashes), the same digest as node:crypto's, for what every audit
// hashes (finding fingerprints, the config file of the sign-off): loading node:crypto costs an
// audit 3-6 ms (17 of Node's own modules) for a few dozen hashes of short text (BENCHMARKS.md).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The SHA-256 of text (as UTF-8) or bytes, as 64 hex digits. */
export function sha256Hex(data: string | Uint8Array): string {
  return bytesToHex(sha256(typeof data === 'string' ? utf8ToBytes(data) : data));
}
