// Test helper: the Ed25519 keys and signatures a forger tries (small-order and non-canonical keys, R = identity,
// S = 0) in every form the Rankr webhook credential reads; for the trigger's forgery tests and its key-ring unit tests.
const SPKI_PREFIX = '302a300506032b6570032100';
export const ff = 'ff'.repeat(30);

/** The 8 small-order points (canonical encodings), the sign-flipped forms of those with x = 0, and y = p, p + 1. */
export const SMALL_ORDER: Array<[string, string]> = [
	['y = 1 (the identity)', `01${'00'.repeat(31)}`],
	['y = 1, sign bit set', `01${'00'.repeat(30)}80`],
	['y = 0', '00'.repeat(32)],
	['y = 0, sign bit set', `${'00'.repeat(31)}80`],
	['y = p - 1 (order 2)', `ec${ff}7f`],
	['y = p - 1, sign bit set', `ec${ff}ff`],
	['order 8, first point', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
	['order 8, first point, sign bit set', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa'],
	['order 8, second point', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
	['order 8, second point, sign bit set', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85'],
	['y = p (non-canonical 0)', `ed${ff}7f`],
	['y = p, sign bit set', `ed${ff}ff`],
	['y = p + 1 (non-canonical 1)', `ee${ff}7f`],
	['y = p + 1, sign bit set', `ee${ff}ff`],
];
/** y >= p but not a small-order point. */
export const NON_CANONICAL: Array<[string, string]> = [
	['y = p + 2', `ef${ff}7f`],
	['y = p + 10', `f7${ff}7f`],
	['y = 2^255 - 1', `ff${ff}7f`],
	['y = p + 3, sign bit set', `f0${ff}ff`],
];

export const asBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
export const asPem = (hex: string) =>
	`-----BEGIN PUBLIC KEY-----\n${Buffer.from(SPKI_PREFIX + hex, 'hex').toString('base64')}\n-----END PUBLIC KEY-----\n`;
/** The forms a key can be pasted in: raw base64, raw hex, PEM. */
export const FORMS: Array<[string, (hex: string) => string]> = [
	['raw base64', asBase64],
	['raw hex', (hex) => hex],
	['PEM SPKI', asPem],
];
/** R = the identity encoding, S = 0: verifies on any body with a small-order key where OpenSSL accepts one. */
export const FORGED = Buffer.concat([Buffer.from(`01${'00'.repeat(31)}`, 'hex'), Buffer.alloc(32)]).toString('base64');
export const IDENTITY_BASE64 = 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** The group order L, and a signature with its S replaced (little endian, as Ed25519 encodes it). */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const littleEndian = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
const fromLittleEndian = (bytes: Buffer) => BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
export const withS = (signature: string, s: (old: bigint) => bigint) => {
	const bytes = Buffer.from(signature, 'base64');
	return Buffer.concat([bytes.subarray(0, 32), littleEndian(s(fromLittleEndian(bytes.subarray(32))))]).toString('base64');
};

/**
 * Spies on crypto.verify around each test of the calling describe, through the module object the trigger calls
 * into (a namespace import is read-only); returns the current spy.
 */
export function spyOnCryptoVerify(): () => jest.SpyInstance {
	const cryptoModule = jest.requireActual<typeof import('node:crypto')>('crypto');
	let spy: jest.SpyInstance;
	beforeEach(() => {
		spy = jest.spyOn(cryptoModule, 'verify');
	});
	afterEach(() => spy.mockRestore());
	return () => spy;
}
