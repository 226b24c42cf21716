// ActivatePro User: ActivatePro's rule for an email address, checked in one pass (bulk runs it per user). Uses shared/text.
import { isSpace, MAX_EMAIL_LENGTH } from '../shared/text';

/**
 * ActivatePro's looser rule: one "@" with something before it, a dot in the part after it (not right after
 * the "@", not last), no white space. At most 254 characters. Bulk work runs this 100,000 times a run.
 */
export function looksLikeEmail(text: string): boolean {
	if (typeof text !== 'string' || text.length > MAX_EMAIL_LENGTH) return false;
	const at = text.indexOf('@');
	if (at < 1 || text.indexOf('@', at + 1) !== -1) return false;
	const dot = text.indexOf('.', at + 2);
	if (dot === -1 || dot >= text.length - 1) return false;
	for (let i = 0; i < text.length; i++) if (isSpace(text.charCodeAt(i))) return false;
	return true;
}
