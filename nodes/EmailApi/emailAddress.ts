// Email API: HighLevel's rule for an email address, checked in one pass before anything is sent. Uses shared/text.
import { isSpace, MAX_EMAIL_LENGTH } from '../shared/text';

// Characters HighLevel refuses anywhere in an address (its API validates with class-validator's IsEmail).
const NOT_IN_ADDRESS = new Set([...'@"(),:;<>[\\]']);

/**
 * The Email API's rule: one "@", a local part and a domain of characters other than white space and
 * `"(),:;<>[\]`, and a dot inside the domain (not its first or last character). At most 254 characters.
 */
export function isEmailAddress(text: string): boolean {
	if (typeof text !== 'string' || text.length > MAX_EMAIL_LENGTH) return false;
	let at = -1;
	let dotInsideDomain = false;
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (char === '@') {
			if (at !== -1) return false;
			at = i;
			continue;
		}
		if (NOT_IN_ADDRESS.has(char) || isSpace(text.charCodeAt(i))) return false;
		if (char === '.' && at !== -1 && i > at + 1 && i < text.length - 1) dotInsideDomain = true;
	}
	return at > 0 && dotInsideDomain;
}
