// Rankr Trigger: the Ed25519 encodings a key or signature must not have (weak keys, S >= L). Uses Node's crypto types.
import type { KeyObject } from 'crypto';

/** DER of an Ed25519 SubjectPublicKeyInfo, less the 32 key bytes that follow it. */
export const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/**
 * libsodium's blocklist of small-order points (y with the sign bit masked off): a signature of any body verifies
 * with such a key, and OpenSSL (Node 20/22) accepts them. Includes the non-canonical y = p and y = p + 1.
 */
const SMALL_ORDER_KEYS = [
	'0000000000000000000000000000000000000000000000000000000000000000',
	'0100000000000000000000000000000000000000000000000000000000000000',
	'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
	'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
	'26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
	'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
	'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'));
/** p = 2^255 - 19, little endian: a key's y (sign bit masked off) must be below it. */
const FIELD_PRIME = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex');
/** L = 2^252 + 27742317777372353535851937790883648493, little endian: a signature's S must be below it. */
const GROUP_ORDER = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

/** Whether little-endian `a` (sign bit of byte 31 masked off when asked) is below little-endian `limit`. */
function below(a: Buffer, limit: Buffer, maskTopBit = false): boolean {
	for (let i = 31; i >= 0; i--) {
		const byte = i === 31 && maskTopBit ? a[i] & 0x7f : a[i];
		if (byte !== limit[i]) return byte < limit[i];
	}
	return false;
}

/**
 * Why an Ed25519 key must not be used, or undefined: checked here because OpenSSL's acceptance of such keys
 * depends on its version.
 */
export function weakEd25519(key: KeyObject): string | undefined {
	const der = key.export({ type: 'spki', format: 'der' });
	const raw = der.subarray(der.length - 32);
	const small = SMALL_ORDER_KEYS.some(
		(point) => raw.compare(point, 0, 31, 0, 31) === 0 && (raw[31] & 0x7f) === point[31],
	);
	if (small)
		return 'is a weak (small-order) Ed25519 key: a signature of any body can be forged for it, so it is not used';
	if (!below(raw, FIELD_PRIME, true))
		return 'is not a canonical Ed25519 encoding (its y coordinate is not below 2^255 - 19), so it is not used';
	return undefined;
}

/** Whether a 64-byte signature's S is below L: S >= L makes a second valid signature of the same body. */
export function canonicalS(signature: Buffer): boolean {
	return below(signature.subarray(32), GROUP_ORDER);
}
