// Shared: a parameter read for every item cheaply (a plain $json reference read directly). Uses n8n types.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * Reads a top-level parameter for every item without paying for n8n's expression engine where it is not
 * needed (on 10,000 items per-item getNodeParameter cost seconds; a direct read costs milliseconds):
 *  - a fixed value is read once;
 *  - a plain field reference, `{{ $json.email }}` or `{{ $json["e-mail"] }}` (nested: `$json.a.b`), reads
 *    that field from the item directly, which is exactly what the expression would return;
 *  - anything else is evaluated per item by n8n as usual.
 */
export type ItemReader = (itemIndex: number) => unknown;

const FIELD_REFERENCE = /^=\s*\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\s*(?:"[^"\\]*"|'[^'\\]*')\s*\])+)\s*\}\}\s*$/;

export function itemReader(
	ctx: IExecuteFunctions,
	name: string,
	items: INodeExecutionData[],
	fallback: unknown = '',
): ItemReader {
	const raw = ctx.getNode().parameters[name];
	if (typeof raw === 'string' && raw.startsWith('=')) {
		const path = fieldPath(raw);
		if (path) return (i) => readPath(items[i]?.json, path);
		return (i) => ctx.getNodeParameter(name, i, fallback);
	}
	// a collection with an expression somewhere inside is evaluated per item, like any other expression
	if (hasExpression(raw)) return (i) => ctx.getNodeParameter(name, i, fallback);
	if (items.length === 0) return () => fallback;
	const value = ctx.getNodeParameter(name, 0, fallback);
	return () => value;
}

const readersByRun = new WeakMap<object, Map<string, ItemReader>>();

/**
 * The item reader of a parameter for operations that run item by item: made once per run (n8n hands every
 * item the same context) over the run's input items, then reused.
 */
export function readItemParameter(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback: unknown = '',
): unknown {
	let readers = readersByRun.get(ctx);
	if (!readers) readersByRun.set(ctx, (readers = new Map()));
	let read = readers.get(name);
	if (!read) readers.set(name, (read = itemReader(ctx, name, ctx.getInputData(), fallback)));
	return read(itemIndex);
}

/** Whether a parameter value holds an expression (a string starting with "="), at any depth. */
export function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/** The field path of a plain `{{ $json... }}` reference, or undefined for any other expression. */
export function fieldPath(expression: string): string[] | undefined {
	const match = FIELD_REFERENCE.exec(expression);
	if (!match) return undefined;
	const path: string[] = [];
	const re = /\.([A-Za-z_$][\w$]*)|\[\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\]/g;
	let m: RegExpExecArray | null;
	while ((m = re.exec(match[1])) !== null) path.push(m[1] ?? m[2] ?? m[3]);
	return path;
}

function readPath(json: unknown, path: string[]): unknown {
	let value = json as Record<string, unknown> | undefined;
	for (const key of path) {
		if (value === null || typeof value !== 'object') return undefined;
		value = value[key] as Record<string, unknown> | undefined;
	}
	return value;
}
