// Jest (unit, npm run test:unit): the rules of the helpers in nodes/shared and of each node's small rules, without HTTP.
import { looksLikeEmail } from '../../nodes/ActivateProUser/emailAddress';
import { parseEntryPointer } from '../../nodes/ActivateProUser/actions/user/bulk/send';
import { isEmailAddress } from '../../nodes/EmailApi/emailAddress';
import { splitFullName } from '../../nodes/EmailApi/fullName';
import { classifyTransportError } from '../../nodes/shared/attempt';
import { redact, redactDeep } from '../../nodes/shared/errors';
import { encodePathSegment, parseBody } from '../../nodes/shared/http';
import { fieldPath } from '../../nodes/shared/itemFields';
import { withoutEmails } from '../../nodes/shared/text';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from '../../nodes/shared/retry';

describe('retry rules', () => {
	test('backoff doubles, stays within [half, full] of the ceiling, and is capped', () => {
		const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 400, maxDelayMs: 10_000 };
		expect([0, 1, 2, 3].map((r) => backoffDelay(r, policy, () => 0))).toEqual([200, 400, 800, 1600]);
		expect([0, 1, 2, 3].map((r) => backoffDelay(r, policy, () => 1))).toEqual([400, 800, 1600, 3200]);
		expect(backoffDelay(20, policy, () => 1)).toBe(10_000);
	});

	test('Retry-After as seconds or an HTTP date', () => {
		expect(parseRetryAfter('3')).toBe(3000);
		expect(parseRetryAfter('0.5')).toBeUndefined(); // not delta-seconds: the normal backoff instead
		expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
		expect(parseRetryAfter(undefined)).toBeUndefined();
		expect(parseRetryAfter('soon')).toBeUndefined();
	});

	test('transport errors: refused was never sent, reset may have been processed, HTTP answers are not transport errors', () => {
		expect(classifyTransportError({ code: 'ECONNREFUSED' })).toEqual({ code: 'ECONNREFUSED', maybeProcessed: false });
		expect(classifyTransportError({ cause: { code: 'ECONNRESET' } })).toEqual({ code: 'ECONNRESET', maybeProcessed: true });
		expect(classifyTransportError({ message: 'timeout of 60000ms exceeded' })).toEqual({ code: 'ECONNRESET', maybeProcessed: true });
		expect(classifyTransportError({ code: 'ECONNRESET', response: { status: 500 } })).toBeUndefined();
		expect(classifyTransportError(new Error('Invalid URL'))).toBeUndefined();
	});
});

describe('field references read without the expression engine', () => {
	test.each([
		['={{ $json.email }}', ['email']],
		['={{$json.profile.email}}', ['profile', 'email']],
		['={{ $json["e-mail"] }}', ['e-mail']],
		["={{ $json['user id'].x }}", ['user id', 'x']],
	])('%s reads %j', (expression, path) => expect(fieldPath(expression)).toEqual(path));

	test.each(['={{ $json.email.toLowerCase() }}', '={{ $json.a + $json.b }}', '=x{{ $json.a }}', '={{ $("Node").item.json.a }}'])(
		'%s is left to n8n',
		(expression) => expect(fieldPath(expression)).toBeUndefined(),
	);
});

describe('bulk answers', () => {
	test('JSON pointers name an entry, or nothing', () => {
		expect(parseEntryPointer('/updated/17/email')).toEqual({ list: 'updated', index: 17, field: 'email' });
		expect(parseEntryPointer('/deleted/3')).toEqual({ list: 'deleted', index: 3, field: undefined });
		expect(parseEntryPointer('/updated/2/a~1b')).toEqual({ list: 'updated', index: 2, field: 'a/b' });
		expect(parseEntryPointer('/updated')).toBeUndefined();
		expect(parseEntryPointer(undefined)).toBeUndefined();
	});
});

describe('HTTP details', () => {
	test('path segments cannot escape their place', () => {
		expect(encodePathSegment('../track/x')).toBe('..%2Ftrack%2Fx');
		expect(encodePathSegment('a+b@c.d')).toBe('a%2Bb%40c.d');
		expect(() => encodePathSegment('..')).toThrow(/cannot be used as an ID in a URL/);
		expect(encodePathSegment('...')).toBe('...');
	});

	test('bodies: JSON parsed, text kept, empty is undefined', () => {
		expect(parseBody('{"a":1}')).toEqual({ a: 1 });
		expect(parseBody(Buffer.from('<html>oops</html>'))).toBe('<html>oops</html>');
		expect(parseBody('  ')).toBeUndefined();
	});

	test('secrets are redacted everywhere in a value', () => {
		expect(redact('key=abcd1234 and abcd1234', ['abcd1234'])).toBe('key=*** and ***');
		expect(redactDeep({ a: ['x abcd1234'], b: { c: 'abcd1234' } }, ['abcd1234'])).toEqual({ a: ['x ***'], b: { c: '***' } });
	});
});

describe('name splitting', () => {
	test.each([
		['Ada Lovelace', 'Ada', 'Lovelace'],
		['Prince', 'Prince', ''],
		['Jean-Luc de la Tour', 'Jean-Luc', 'de la Tour'],
		['Mary Ann Smith', 'Mary Ann', 'Smith'],
		['Lovelace, Ada', 'Ada', 'Lovelace'],
		['Ludwig van Beethoven', 'Ludwig', 'van Beethoven'],
		['  ', '', ''],
	])('%j → %j + %j', (full, firstName, lastName) => expect(splitFullName(full)).toEqual({ firstName, lastName }));
});

describe('email check of ActivatePro entries', () => {
	test('accepts and refuses exactly what /^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$/ does, on every string of up to 6 characters', () => {
		const rule = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
		const alphabet = ['a', '@', '.', ' ', '\u00a0', 'é'];
		let strings = [''];
		let differ: string[] = [];
		let accepted = 0;
		for (let length = 0; length <= 6; length++) {
			for (const text of strings) {
				if (looksLikeEmail(text) !== rule.test(text)) differ.push(JSON.stringify(text));
				if (rule.test(text)) accepted++;
			}
			strings = strings.flatMap((text) => alphabet.map((c) => text + c));
		}
		differ = differ.slice(0, 10);
		expect(differ).toEqual([]);
		expect(accepted).toBeGreaterThan(100); // the alphabet does reach valid addresses
		expect(looksLikeEmail('ada.lovelace@example.com')).toBe(true);
		expect(looksLikeEmail('ada@example')).toBe(false);
	});
});

describe('email rules without regexes (linear in their input)', () => {
	// The rules as they were written with regexes, before those were found to backtrack on long input.
	const emailApiRule = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\]]+$/;
	const logRule = /[^\s"'<>()[\]{},;:]+@[^\s"'<>()[\]{},;:]+/g;
	function* everyString(alphabet: string[], maxLength: number) {
		let strings = [''];
		for (let length = 0; length <= maxLength; length++) {
			yield* strings;
			strings = strings.flatMap((text) => alphabet.map((c) => text + c));
		}
	}

	test('the Email API check accepts and refuses exactly what its old regex did, on every string of up to 6 characters', () => {
		const differ: string[] = [];
		let accepted = 0;
		for (const text of everyString(['a', '@', '.', ' ', '\u00a0', '"', 'é'], 6)) {
			if (isEmailAddress(text) !== emailApiRule.test(text)) differ.push(JSON.stringify(text));
			if (emailApiRule.test(text)) accepted++;
		}
		expect(differ.slice(0, 10)).toEqual([]);
		expect(accepted).toBeGreaterThan(100);
	});

	test('log lines mask exactly the words the old regex masked, on every string of up to 6 characters', () => {
		const differ: string[] = [];
		for (const text of everyString(['a', '@', ' ', ',', '.', '"'], 6)) {
			if (withoutEmails(text) !== text.replace(logRule, '<email>')) differ.push(JSON.stringify(text));
		}
		expect(differ.slice(0, 10)).toEqual([]);
		expect(withoutEmails('user "ada@example.com" (item 3): refused, and bob@x.io too')).toBe('user "<email>" (item 3): refused, and <email> too');
	});

	test('an address longer than 254 characters is not an address, for either API', () => {
		const long = `${'a'.repeat(64)}@${'b'.repeat(185)}.com`; // 254
		expect(isEmailAddress(long)).toBe(true);
		expect(looksLikeEmail(long)).toBe(true);
		expect(isEmailAddress(`a${long}`)).toBe(false);
		expect(looksLikeEmail(`a${long}`)).toBe(false);
	});
});
