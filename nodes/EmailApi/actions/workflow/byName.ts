// Email API → Workflow: a workflow's ID from its name, at run time. Uses transport, answers, common, shared/.
// The workflow picker's "By Name" mode: an imported example runs in any account that has a workflow of that name.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { inputError, itemLabel } from '../../../shared/errors';
import { quoted } from '../../../shared/text';
import { emailApiError, isSuccess } from '../../answers';
import { emailApiRequest, emailApiSettings, type EmailApiAnswer } from '../../transport';
import { locationOf } from '../common';

/** Longer than any workflow name a person types; refused before any request. */
export const MAX_WORKFLOW_NAME_CHARS = 500;
/** How many of the location's workflow names an error lists, to show what is there. */
const NAMES_SHOWN = 5;

/**
 * The location's workflow list, asked once per node run and location: a run of 10,000 items that enrol by name
 * makes one list request, not 10,000. Keyed by the run's context object, so it is gone with the run. Only a
 * successful list is kept: after a failure the next item asks again, as it would for any other request.
 */
const listsOfRun = new WeakMap<object, Map<string, Promise<EmailApiAnswer>>>();

function workflowList(ctx: IExecuteFunctions, locationId: string, itemIndex: number): Promise<EmailApiAnswer> {
	let lists = listsOfRun.get(ctx);
	if (!lists) listsOfRun.set(ctx, (lists = new Map()));
	let list = lists.get(locationId);
	if (!list) {
		list = emailApiSettings(ctx).then((settings) =>
			emailApiRequest(ctx, { method: 'GET', path: '/workflows/', qs: { locationId }, itemIndex }, settings),
		);
		lists.set(locationId, list);
		const forget = () => lists.delete(locationId);
		list.then((answer) => isSuccess(answer) || forget(), forget);
	}
	return list;
}

/**
 * The id of the location's workflow called `name` (exactly, spaces around it aside; a published one before a
 * draft).
 */
export async function workflowIdByName(ctx: IExecuteFunctions, name: string, itemIndex: number): Promise<string> {
	const wanted = name.trim();
	if (!wanted)
		throw inputError(
			ctx.getNode(),
			`"Workflow" is empty (${itemLabel(itemIndex)})`,
			itemIndex,
			'Type the name of a workflow, e.g. Welcome.',
		);
	if (wanted.length > MAX_WORKFLOW_NAME_CHARS) {
		throw inputError(
			ctx.getNode(),
			`"Workflow" (By Name) is ${wanted.length} characters long (${itemLabel(itemIndex)})`,
			itemIndex,
			`Give a workflow's name (at most ${MAX_WORKFLOW_NAME_CHARS} characters), or pick it from the list.`,
		);
	}
	const locationId = locationOf(ctx, await emailApiSettings(ctx), itemIndex);
	const answer = await workflowList(ctx, locationId, itemIndex);
	if (!isSuccess(answer)) {
		throw emailApiError(ctx.getNode(), answer, {
			action: `find the workflow named ${quoted(wanted)}`,
			scope: 'workflows.readonly',
			itemIndex,
		});
	}
	const workflows = (((answer.body as IDataObject)?.workflows ?? []) as IDataObject[]).filter(
		(w) => w && typeof w === 'object',
	);
	const named = workflows.filter((w) => typeof w.name === 'string' && w.name.trim() === wanted);
	const published = named.filter((w) => w.status === 'published');
	const chosen = named.length > 1 && published.length > 0 ? published : named;
	if (chosen.length === 1) return String(chosen[0].id);
	if (chosen.length === 0) {
		const there = workflows
			.slice(0, NAMES_SHOWN)
			.map((w) => quoted(String(w.name ?? '')))
			.join(', ');
		const more = workflows.length > NAMES_SHOWN ? `, and ${workflows.length - NAMES_SHOWN} more` : '';
		throw inputError(
			ctx.getNode(),
			`No workflow is named ${quoted(wanted)} in location ${quoted(locationId)} (${itemLabel(itemIndex)})`,
			itemIndex,
			`Create a workflow with that name in HighLevel (Automation → Workflows), or pick one from the list. ${workflows.length ? `Workflows there: ${there}${more}.` : 'The location has no workflows.'}`,
		);
	}
	throw inputError(
		ctx.getNode(),
		`${chosen.length} workflows are named ${quoted(wanted)} (${chosen.map((w) => quoted(String(w.id))).join(', ')}) (${itemLabel(itemIndex)})`,
		itemIndex,
		'Rename all but one in HighLevel, or pick the one you mean from the list (or give its ID).',
	);
}
