// Email API → User → Create: POST /users/, looked up before any retry. Uses transport, answers, fullName, common,
// fields, shared/.
import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { fieldCollection } from '../../../shared/description';
import { apiError, inputError, itemLabel, objectBody } from '../../../shared/errors';
import { readItemParameter } from '../../../shared/itemFields';
import { nodeLog } from '../../../shared/log';
import type { AttemptOutcome } from '../../../shared/attempt';
import { quoted } from '../../../shared/text';
import { emailApiError, isSuccess } from '../../answers';
import { firstAndLastName } from '../../fullName';
import { emailApiRequest, emailApiSettings, type EmailApiSettings } from '../../transport';
import { checkEmail, commaList, emailAndNameFields, parseJsonParameter, requiredText } from '../common';
import { describe, profileFieldOptions, roleField } from './fields';

const show = { resource: ['user'], operation: ['create'] };

export const properties: INodeProperties[] = [
	...emailAndNameFields(show, {
		emailRequired: true,
		fullNameDescription:
			'Split into first and last name ("Jean-Luc de la Tour" → Jean-Luc + de la Tour). First Name and Last Name below take precedence.',
	}),
	roleField(show),
	{
		displayName: 'If the User Already Exists',
		name: 'ifExists',
		type: 'options',
		default: 'error',
		options: [
			{ name: 'Fail the Item', value: 'error', description: "Report the Email API's refusal as an error" },
			{
				name: 'Return the Existing User',
				value: 'returnExisting',
				description:
					'Output the user with this email (marked alreadyExisted: true): a signup that arrives twice, or a re-run, then goes on as if it had just been created',
			},
		],
		displayOptions: { show },
	},
	fieldCollection('additionalFields', show, [
		{
			displayName: 'Company ID',
			name: 'companyId',
			type: 'string',
			default: '',
			description: "Defaults to the credential's company (or the OAuth token's)",
		},
		...describe(profileFieldOptions, {
			locationIds: "Comma-separated sub-accounts the user may access. Defaults to the credential's location.",
			password: 'Leave empty to set a random one: the user then signs in through "forgot password"',
		}),
	]),
];

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Create',
	value: 'create',
	action: 'Create a user',
	description: 'Create a user (duplicate-safe when the answer is lost)',
};

/** POST /users/ — not idempotent: an answer lost after sending is checked before any retry. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const settings = await emailApiSettings(this);
	const body = buildCreateBody(this, itemIndex, settings);
	let recovered = false;
	const answer = await emailApiRequest(
		this,
		{
			method: 'POST',
			idempotent: false, // a second POST makes a second user: a lost answer is looked up first (beforeRetry)
			path: '/users/',
			body,
			itemIndex,
			beforeRetry: async (last) => {
				const log = nodeLog(this);
				const cause = last.kind === 'response' ? `HTTP ${last.statusCode}` : last.code;
				log.info(
					`create of the user (item ${itemIndex + 1}) may have happened (${cause}): looking the user up by email before any retry`,
				);
				log.debug(`looking up ${String(body.email)} after ${cause}`);
				const existing = await findUserByEmail(this, settings, String(body.companyId), String(body.email), itemIndex);
				if (existing === 'unknown') {
					log.warn(
						`create of the user (item ${itemIndex + 1}): the look-up failed too; not retrying, so that no second user is made`,
					);
					return unconfirmed(this, String(body.email), last, itemIndex);
				}
				if (existing) {
					log.info(
						`create answer lost (item ${itemIndex + 1}); found the user by email (id ${String(existing.id ?? '?')}), not creating again`,
					);
					recovered = true;
					return { kind: 'response', statusCode: 201, headers: {}, body: existing };
				}
				log.info(`create of the user (item ${itemIndex + 1}) did not happen (not found by email): sending it again`);
				return undefined; // not created: safe to send again
			},
		},
		settings,
	);
	if (isRefusal(answer.statusCode)) {
		// Refused. Whatever the wording, a user with this email means "already exists": use it if asked to.
		if (this.getNodeParameter('ifExists', itemIndex, 'error') === 'returnExisting') {
			const existing = await findUserByEmail(this, settings, String(body.companyId), String(body.email), itemIndex);
			if (existing && existing !== 'unknown') return { ...existing, alreadyExisted: true };
		}
	}
	if (!isSuccess(answer)) {
		throw emailApiError(this.getNode(), answer, {
			action: `create the user ${body.email}`,
			scope: 'users.write',
			itemIndex,
		});
	}
	const user = objectBody(this.getNode(), answer.body, 'The Email API', itemIndex);
	return recovered ? { ...user, recoveredAfterLostAnswer: true } : user;
}

/** A 4xx that is about the request itself (not the credentials, not the rate limit). */
function isRefusal(statusCode: number): boolean {
	return statusCode >= 400 && statusCode < 500 && ![401, 403, 429].includes(statusCode);
}

function buildCreateBody(ctx: IExecuteFunctions, itemIndex: number, settings: EmailApiSettings): IDataObject {
	const node = ctx.getNode();
	const email = checkEmail(
		ctx,
		requiredText(ctx, 'email', 'Email', itemIndex, 'Set "Email", e.g. {{ $json.email }}.'),
		itemIndex,
	);
	const extra = (readItemParameter(ctx, 'additionalFields', itemIndex, {}) ?? {}) as IDataObject;
	const { firstName, lastName } = firstAndLastName(
		readItemParameter(ctx, 'fullName', itemIndex),
		extra.firstName,
		extra.lastName,
	);
	if (!firstName) {
		throw inputError(
			node,
			`The user has no name (${itemLabel(itemIndex)})`,
			itemIndex,
			'Set "Full Name" (or First Name under Additional Fields): the Email API requires a first name.',
		);
	}
	if (!lastName) {
		throw inputError(
			node,
			`The Email API requires a last name, and ${quoted(firstName)} has none (${itemLabel(itemIndex)})`,
			itemIndex,
			'Set "Last Name" under Additional Fields (e.g. {{ $json.lastName || "-" }}) for people known by one name.',
		);
	}
	const companyId = String(extra.companyId || settings.companyId || '').trim();
	if (!companyId) {
		throw inputError(
			node,
			`No company ID (${itemLabel(itemIndex)})`,
			itemIndex,
			'Set "Company ID" under Additional Fields, or in the credential: the Email API needs it to create a user.',
		);
	}
	const locationIds = commaList(extra.locationIds);
	if (locationIds.length === 0 && settings.locationId) locationIds.push(settings.locationId);
	if (locationIds.length === 0) {
		throw inputError(
			node,
			`No location for the user (${itemLabel(itemIndex)})`,
			itemIndex,
			'Set "Location IDs" under Additional Fields, or a Location ID in the credential.',
		);
	}
	const body: IDataObject = {
		companyId,
		firstName,
		lastName,
		email,
		password: String(extra.password || '') || `Rk-${randomPassword()}`,
		type: String(extra.type || 'account'),
		role: String(readItemParameter(ctx, 'role', itemIndex, 'user')),
		locationIds,
	};
	if (extra.phone) body.phone = String(extra.phone);
	if (extra.permissionsJson !== undefined) {
		const permissions = parseJsonParameter(
			ctx,
			extra.permissionsJson,
			'Permissions (JSON)',
			itemIndex,
			'object',
		) as IDataObject;
		if (Object.keys(permissions).length) body.permissions = permissions;
	}
	return body;
}

/** Looks the user up by email: the user, undefined when there is none, or 'unknown' when we cannot tell. */
export async function findUserByEmail(
	ctx: IExecuteFunctions,
	settings: EmailApiSettings,
	companyId: string,
	email: string,
	itemIndex: number,
): Promise<IDataObject | undefined | 'unknown'> {
	try {
		const answer = await emailApiRequest(
			ctx,
			{ method: 'GET', path: '/users/search', qs: { companyId, query: email, limit: 25 }, itemIndex },
			settings,
		);
		if (!isSuccess(answer)) return 'unknown';
		const users = ((answer.body as IDataObject)?.users ?? []) as IDataObject[];
		return users.find((u) => String(u.email ?? '').toLowerCase() === email.toLowerCase());
	} catch {
		return 'unknown';
	}
}

function unconfirmed(ctx: IExecuteFunctions, email: string, last: AttemptOutcome, itemIndex: number): never {
	const cause = last.kind === 'response' ? `HTTP ${last.statusCode}` : last.code;
	throw apiError(ctx.getNode(), {
		message: `Creating the user ${email} may or may not have happened (${cause}), and the Email API could not be asked`,
		description:
			'Not retried, so that no second user is created. Look the user up by email before running this item again.',
		itemIndex,
	});
}

/**
 * A password nobody knows (the user signs in through a reset or SSO), from the Web Crypto every supported
 * Node has. Not n8n-workflow's generateSecureToken: n8n 1.x does not export it.
 */
function randomPassword(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(24));
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
