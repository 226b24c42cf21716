// Email API: a person's first and last name, from the fields given or split from the full name. Uses nothing.
// Surname particles that begin a family name: "Jean-Luc de la Tour" → "Jean-Luc" + "de la Tour".
const PARTICLES = new Set([
	'de',
	'del',
	'della',
	'der',
	'den',
	'di',
	'da',
	'dos',
	'das',
	'do',
	'du',
	'la',
	'le',
	'van',
	'von',
	'ten',
	'ter',
	'vom',
	'zu',
	'bin',
	'binti',
	'ibn',
	'al',
	'el',
	'st.',
	'san',
	'mac',
]);

/**
 * Splits a full name the way a person would read it:
 *  "Ada Lovelace" → Ada / Lovelace;  "Prince" → Prince / "";  "Mary Ann Smith" → Mary Ann / Smith;
 *  "Jean-Luc de la Tour" → Jean-Luc / de la Tour;  "Lovelace, Ada" → Ada / Lovelace.
 */
export function splitFullName(fullName: string): { firstName: string; lastName: string } {
	const clean = String(fullName ?? '')
		.replace(/\s+/g, ' ')
		.trim();
	if (!clean) return { firstName: '', lastName: '' };
	const comma = clean.indexOf(',');
	if (comma > 0) {
		return { firstName: clean.slice(comma + 1).trim(), lastName: clean.slice(0, comma).trim() };
	}
	const words = clean.split(' ');
	if (words.length === 1) return { firstName: words[0], lastName: '' };
	// The family name starts at the first particle after the first word, else it is the last word.
	const particle = words.findIndex((w, i) => i > 0 && i < words.length - 1 && PARTICLES.has(w.toLowerCase()));
	const split = particle > 0 ? particle : words.length - 1;
	return { firstName: words.slice(0, split).join(' '), lastName: words.slice(split).join(' ') };
}

/** First and last name from explicit fields, else split from the full name (each part on its own). */
export function firstAndLastName(
	fullName: unknown,
	firstName: unknown,
	lastName: unknown,
): { firstName: string; lastName: string } {
	const split = splitFullName(String(fullName ?? ''));
	const first = String(firstName ?? '').trim();
	const last = String(lastName ?? '').trim();
	return { firstName: first || split.firstName, lastName: last || split.lastName };
}
