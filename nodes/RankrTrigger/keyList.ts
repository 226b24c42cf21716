// Rankr Trigger: the public keys field read as a list (PEM blocks, raw base64 or hex keys). Uses Node's crypto, ed25519.
import { createPublicKey, type KeyObject } from 'crypto';

import { ED25519_SPKI_PREFIX } from './ed25519';

export interface KeyEntry {
	number: number;
	/** A PEM block's label ("PUBLIC KEY"), or undefined for a raw key on its own line. */
	label?: string;
	/** The PEM body (base64, whitespace removed) or the raw line. */
	body: string;
	/** A PEM block whose END line never came. */
	unterminated?: boolean;
}

/**
 * The key field as a list: PEM blocks one after another, and raw keys one per line, in the order given.
 * One pass over the lines (each regex anchored and bounded), so the cost is linear in the field's length.
 */
export function splitKeyList(text: string): KeyEntry[] {
	const entries: KeyEntry[] = [];
	// A PEM pasted onto one line (spaces for line breaks): put its armour lines on lines of their own.
	const lines = text.replace(/-----(?:BEGIN|END) [A-Z0-9 ]{1,40}-----/g, (armour) => `\n${armour}\n`).split('\n');
	let block: KeyEntry | undefined;
	for (const raw of lines) {
		const line = raw.trim();
		if (!line) continue;
		const armour = /^-----(BEGIN|END) ([A-Z0-9 ]{1,40})-----$/.exec(line);
		if (block) {
			if (armour?.[1] === 'END') {
				entries.push(block);
				block = undefined;
			} else if (armour) {
				entries.push({ ...block, unterminated: true });
				block = { number: entries.length + 1, label: armour[2], body: '' };
			} else block.body += line.replace(/\s+/g, '');
		} else if (armour?.[1] === 'BEGIN') block = { number: entries.length + 1, label: armour[2], body: '' };
		else if (!armour) entries.push({ number: entries.length + 1, body: line });
		// a stray END line outside a block is ignored
	}
	if (block) entries.push({ ...block, unterminated: true });
	return entries;
}

/** A key from one entry, or why it is not one ("is …", "does …"). */
export function parseEntry(entry: KeyEntry): KeyObject | string {
	if (entry.label !== undefined) {
		if (entry.unterminated) return `is a PEM block without its "-----END ${entry.label}-----" line`;
		if (entry.label.includes('PRIVATE'))
			return 'is a private key: paste the public key (and keep the private one secret)';
		const pem = `-----BEGIN ${entry.label}-----\n${(entry.body.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${entry.label}-----\n`;
		try {
			return createPublicKey(pem);
		} catch (error) {
			return `is a PEM block that is not a public key (${(error as Error).message})`;
		}
	}
	const line = entry.body;
	let bytes: Buffer | undefined;
	if (/^[0-9a-fA-F]{64}$/.test(line)) bytes = Buffer.from(line, 'hex');
	else if (line.length <= 200 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(line)) bytes = Buffer.from(line, 'base64');
	const der =
		bytes?.length === 32
			? Buffer.concat([ED25519_SPKI_PREFIX, bytes])
			: bytes?.length === 44 && bytes.subarray(0, 12).equals(ED25519_SPKI_PREFIX)
				? bytes
				: undefined;
	if (!der) {
		const what = bytes
			? `decodes to ${bytes.length} bytes`
			: `is a line of ${line.length} characters that is neither base64 nor hex`;
		return `${what}: expected a PEM block (-----BEGIN PUBLIC KEY-----) or a raw 32-byte Ed25519 key in base64 (44 characters) or hex (64 characters)`;
	}
	try {
		return createPublicKey({ key: der, format: 'der', type: 'spki' });
	} catch (error) {
		return `is not a usable Ed25519 key (${(error as Error).message})`;
	}
}
