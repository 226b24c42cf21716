// Email API: its answers read — success, not found, the API's own message — and a failure as an error that says
// what happened and what to do. Uses transport (the answer's type), shared/errors.
import type { IDataObject, INode } from 'n8n-workflow';

import { apiError } from '../shared/errors';
import { quoted } from '../shared/text';
import type { EmailApiAnswer } from './transport';

export interface ErrorContext {
	action: string;
	/** The scope this endpoint needs, to name it when the token lacks it. */
	scope: string;
	itemIndex?: number;
	notFound?: string;
}

/** The words for an ID the API does not know (ErrorContext.notFound). */
export const unknownId = (noun: 'user' | 'contact', id: string) => `No Email API ${noun} has the ID ${quoted(id)}`;

/** An answer that is not a success, as an error that says what happened and what to do. */
export function emailApiError(node: INode, answer: EmailApiAnswer, context: ErrorContext) {
	const { statusCode, body } = answer;
	const apiMessage = messageOf(body);
	let message: string;
	let description: string | undefined;
	if (statusCode === 401 || statusCode === 403) {
		if (/scope|not authorized|forbidden/i.test(apiMessage)) {
			message = `The Email API token is missing the "${context.scope}" scope needed to ${context.action}`;
			description = `Add "${context.scope}" to the Private Integration token's scopes, or to the HighLevel OAuth2 credential's Scope and reconnect it. (API: ${apiMessage})`;
		} else {
			message = `The Email API rejected the credentials (HTTP ${statusCode}) while trying to ${context.action}`;
			description = `${apiMessage ? `API: ${apiMessage}. ` : ''}Check the token in the Email API credential, or reconnect the HighLevel OAuth2 credential.`;
		}
	} else if (context.notFound && isNotFound(answer)) {
		message = context.notFound;
		description = apiMessage ? `API: ${apiMessage}` : undefined;
	} else if (statusCode === 429) {
		message = `The Email API's rate limit did not clear while trying to ${context.action}`;
		description =
			'The burst limit is 100 requests per 10 s and 200,000 a day per location. Run again later, or with fewer items at once.';
	} else if (statusCode >= 500) {
		message = `The Email API failed with HTTP ${statusCode} while trying to ${context.action}, after ${answer.attempts} attempts`;
		description = `${apiMessage ? `API: ${apiMessage}. ` : ''}The service is having trouble; run the workflow again later.`;
	} else {
		message = `The Email API refused to ${context.action} (HTTP ${statusCode}): ${apiMessage || 'no reason given'}`;
		description = statusCode === 422 ? 'Fix the fields named above and run again.' : undefined;
	}
	return apiError(node, {
		message,
		description,
		httpCode: statusCode,
		itemIndex: context.itemIndex,
		data: apiMessage ? { apiMessage } : undefined,
		secrets: answer.secrets,
	});
}

/** The API's message: a string, or NestJS's array of validation messages. */
export function messageOf(body: unknown): string {
	const message = typeof body === 'string' ? body : (body as IDataObject | undefined)?.message;
	// quoted server text is cut before it goes into a message (it is already redacted: see emailApiRequest)
	const text = Array.isArray(message)
		? message.slice(0, 20).map(String).join('; ')
		: typeof message === 'string'
			? message
			: '';
	return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The record addressed is not there: 404, or the 400 "not found" / "invalid id" HighLevel answers for some routes. */
export function isNotFound(answer: EmailApiAnswer): boolean {
	return answer.statusCode === 404 || (answer.statusCode === 400 && /not found|invalid/i.test(messageOf(answer.body)));
}

export function isSuccess(answer: EmailApiAnswer): boolean {
	return answer.statusCode >= 200 && answer.statusCode < 300;
}
