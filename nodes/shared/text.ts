// Shared: reading and quoting text from outside (items, AI tool arguments, answers). Uses nothing. Each API's own
// rule for an email address lives with its node (EmailApi/emailAddress.ts, ActivateProUser/emailAddress.ts).
// Such text may be any length and any shape, so every function here is one pass over its input (no regex
// that can backtrack) and refuses what is too long to be valid before looking closer: a 200,000-character
// "email" once held n8n's event loop for 30 s in a backtracking regex.

/** RFC 5321: a forward path holds at most 256 octets, so an address is at most 254 characters. */
export const MAX_EMAIL_LENGTH = 254;

/** Longest piece of a value quoted in an error message or a log line. */
const QUOTE_LENGTH = 80;

/** Whether a character code is white space as `\s` reads it (the linear checks' stand-in for the regex). */
export function isSpace(code: number): boolean {
	// the white space \s matches: ASCII spaces and controls 9-13, NBSP, and the Unicode spaces
	return (
		code === 32 ||
		(code >= 9 && code <= 13) ||
		code === 0xa0 ||
		code === 0x1680 ||
		(code >= 0x2000 && code <= 0x200a) ||
		code === 0x2028 ||
		code === 0x2029 ||
		code === 0x202f ||
		code === 0x205f ||
		code === 0x3000 ||
		code === 0xfeff
	);
}

// What ends a word that could be an address in a sentence: white space, quotes, brackets and punctuation.
const WORD_BREAKS = new Set([...'"\'<>()[]{},;:']);

/**
 * Replaces every word with an "@" inside it (not first or last) by <email>: personal data stays out of info
 * and warn lines, whatever an error message quoted. One pass; the text is clipped first (see clipForLog).
 */
export function withoutEmails(text: string): string {
	const input = clipForLog(text);
	if (input.indexOf('@') === -1) return input;
	let out = '';
	let wordStart = 0;
	let atInside = false;
	const flush = (end: number) => {
		out += atInside ? '<email>' : input.slice(wordStart, end);
		atInside = false;
	};
	for (let i = 0; i < input.length; i++) {
		const char = input[i];
		if (WORD_BREAKS.has(char) || isSpace(input.charCodeAt(i))) {
			flush(i);
			out += char;
			wordStart = i + 1;
		} else if (char === '@' && i > wordStart && i < input.length - 1) {
			const next = input[i + 1];
			if (!WORD_BREAKS.has(next) && !isSpace(input.charCodeAt(i + 1))) atInside = true;
		}
	}
	flush(input.length);
	return out;
}

/** Longest log line we write; longer text is cut and says how long it was. */
const MAX_LOG_LINE = 2000;

export function clipForLog(text: string): string {
	const value = String(text ?? '');
	return value.length <= MAX_LOG_LINE ? value : `${value.slice(0, MAX_LOG_LINE)}… (${value.length} characters)`;
}

/**
 * A value from outside as it may appear in a message: in quotes, cut to 80 characters with its length when
 * longer, so a 1 MB field cannot become a 1 MB error (and every check on the message stays cheap).
 */
export function quoted(value: unknown): string {
	const text = typeof value === 'string' ? value : String(value);
	if (text.length <= QUOTE_LENGTH) return `"${text}"`;
	return `"${text.slice(0, QUOTE_LENGTH)}…" (${text.length} characters)`;
}
