/**
 * Loading dataset contracts (`datasets/<department>/<dataset>.yaml`) and `departments.yaml`.
 *
 * Every problem is reported with its file, line, column and key, and all problems of a run are thrown
 * together in one ContractError, so a contract author sees the whole list at once.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { type Document, isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ContractError, type ContractIssue } from './errors.ts';
import { type DatasetContract, type Department, datasetSchema, departmentsFileSchema } from './schema.ts';

type Path = readonly PropertyKey[];
interface Position {
  line: number;
  column: number;
}

/** What a contract must say about itself, given where its file is. */
export interface ContractLocation {
  /** The department directory the file is in. */
  department?: string;
  /** The file name without its extension. */
  name?: string;
}

const YAML_EXTENSIONS = ['.yaml', '.yml'];
const CONTRACT_ADVICE = 'Fix the contract and run again.';
const DEPARTMENTS_ADVICE = 'Fix departments.yaml and run again.';
const UNDECLARED_ADVICE =
  "Declare the department in departments.yaml (or fix the contract's department) and run again.";

/** Where each loaded contract came from, for errors raised after loading. */
interface ContractSource {
  file: string;
  department: Position;
  name: Position;
}
const contractSources = new WeakMap<DatasetContract, ContractSource>();
const departmentSources = new WeakMap<readonly Department[], string>();

/** The file a contract was loaded from, if it came from parseContract/loadContract/loadDatasets. */
export function contractFile(contract: DatasetContract): string | undefined {
  return contractSources.get(contract)?.file;
}

// ---------------------------------------------------------------------------------------------------------
// YAML parsing and positions

interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
  data: unknown;
}

function parseYaml(text: string, file: string): ParsedYaml | ContractIssue[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { file, line, column: col, key: '(yaml)', message: `YAML syntax error: ${e.message}` };
    });
  }
  try {
    return { doc, lines, data: doc.toJS() };
  } catch (e) {
    // e.g. too many alias expansions
    const message = e instanceof Error ? e.message : String(e);
    return [{ file, line: 1, column: 1, key: '(yaml)', message }];
  }
}

function nodePosition(node: unknown, lines: LineCounter): Position | undefined {
  if (!isNode(node) || !node.range) return undefined;
  const { line, col } = lines.linePos(node.range[0]);
  return { line, column: col };
}

/** The position of the node at `path`: a mapping key, a list item, or the nearest existing ancestor. */
function locate(parsed: ParsedYaml, path: Path): Position {
  const { doc, lines } = parsed;
  let node: unknown = doc.contents;
  let position = nodePosition(node, lines) ?? { line: 1, column: 1 };
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (!pair) break;
      position = nodePosition(pair.key, lines) ?? position;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment];
      position = nodePosition(node, lines) ?? position;
    } else {
      break;
    }
  }
  return position;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A readable key for `path`, e.g. `fields[2] (owner_id).protect`: list items of `fields` and `departments`
 * are labelled with their name or id, taken from the document as written.
 */
function keyLabel(path: Path, data: unknown): string {
  if (path.length === 0) return '(document)';
  let label = '';
  let value = data;
  let parent: PropertyKey | undefined;
  for (const segment of path) {
    value =
      isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
    if (typeof segment === 'number') {
      label += `[${segment}]`;
      const nameKey = parent === 'fields' ? 'name' : parent === 'departments' ? 'id' : undefined;
      const name = nameKey && isRecord(value) ? value[nameKey] : undefined;
      if (typeof name === 'string' && name !== '') label += ` (${name})`;
    } else {
      label += label === '' ? String(segment) : `.${String(segment)}`;
    }
    parent = segment;
  }
  return label;
}

// ---------------------------------------------------------------------------------------------------------
// Zod issues to contract issues

function describeValue(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (isRecord(v)) return 'a mapping';
  if (typeof v === 'string') return `"${v}"`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};
const typeWord = (t: string): string => TYPE_WORDS[t] ?? t;
const plural = (n: number | bigint, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Messages in the contract author's terms (YAML lists and mappings, not JS arrays and objects). */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `expected ${typeWord(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return `must be one of ${allowed}; got ${describeValue(issue.input)}`;
    }
    case 'invalid_union': {
      const options = issue.errors.flatMap((alternative) =>
        alternative.flatMap((i) =>
          i.code === 'invalid_type'
            ? [typeWord(i.expected)]
            : i.code === 'invalid_value'
              ? i.values.map((v) => JSON.stringify(v))
              : [],
        ),
      );
      if (options.length === 0) return undefined;
      return `expected ${[...new Set(options)].join(' or ')}, got ${describeValue(issue.input)}`;
    }
    case 'too_small':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
      }
      if (issue.origin === 'array' || issue.origin === 'string') {
        const unit = issue.origin === 'array' ? 'item' : 'character';
        if (issue.exact) return `must be exactly ${plural(issue.minimum, unit)}`;
        if (Number(issue.minimum) === 1) return 'must not be empty';
        return `must have at least ${plural(issue.minimum, unit)}`;
      }
      return undefined;
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
      }
      if (issue.origin === 'array' || issue.origin === 'string') {
        const unit = issue.origin === 'array' ? 'item' : 'character';
        return `must be ${issue.exact ? 'exactly' : 'at most'} ${plural(issue.maximum, unit)}`;
      }
      return undefined;
    default:
      return undefined;
  }
};

interface DefShape {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
}
const defOf = (schema: z.core.$ZodType): DefShape => schema._zod.def as unknown as DefShape;

/** The keys a strict object at `path` of `root` accepts. */
function allowedKeys(root: z.core.$ZodType, path: Path): string[] {
  let schema: z.core.$ZodType | undefined = root;
  const unwrap = () => {
    while (schema && defOf(schema).innerType) schema = defOf(schema).innerType;
  };
  for (const segment of path) {
    unwrap();
    if (!schema) return [];
    const def = defOf(schema);
    schema =
      def.type === 'object' ? def.shape?.[String(segment)] : def.type === 'array' ? def.element : undefined;
  }
  unwrap();
  return schema && defOf(schema).type === 'object' ? Object.keys(defOf(schema).shape ?? {}) : [];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  const normal = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const close =
    allowed.find((k) => normal(k) === normal(key)) ??
    allowed
      .map((k) => ({ k, d: editDistance(k, key) }))
      .filter(({ d }) => d <= (key.length > 4 ? 2 : 1))
      .sort((a, b) => a.d - b.d)[0]?.k;
  if (close) return `unknown key "${key}"; did you mean "${close}"?`;
  return allowed.length > 0
    ? `unknown key "${key}"; allowed keys: ${allowed.join(', ')}`
    : `unknown key "${key}"`;
}

function toContractIssues(
  issues: readonly z.core.$ZodIssue[],
  parsed: ParsedYaml,
  file: string,
  root: z.core.$ZodType,
): ContractIssue[] {
  const out: ContractIssue[] = [];
  const push = (path: Path, message: string) =>
    out.push({ file, ...locate(parsed, path), key: keyLabel(path, parsed.data), message });
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(root, issue.path);
      for (const key of issue.keys) push([...issue.path, key], unknownKeyMessage(key, allowed));
    } else {
      push(issue.path, issue.message);
    }
  }
  return out;
}

/** Parses and validates one YAML document against `schema`, returning the result or every issue found. */
function validate<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  what: string,
):
  | { ok: true; value: z.output<S>; parsed: ParsedYaml }
  | { ok: false; issues: ContractIssue[]; parsed?: ParsedYaml } {
  const parsed = parseYaml(text, file);
  if (Array.isArray(parsed)) return { ok: false, issues: parsed };
  if (!isRecord(parsed.data)) {
    const message = `${what} must be a YAML mapping (key: value lines)`;
    return { ok: false, parsed, issues: [{ file, ...locate(parsed, []), key: '(document)', message }] };
  }
  const result = schema.safeParse(parsed.data, { error: errorMap });
  if (!result.success) {
    return { ok: false, issues: toContractIssues(result.error.issues, parsed, file, schema), parsed };
  }
  return { ok: true, value: result.data, parsed };
}

// ---------------------------------------------------------------------------------------------------------
// Dataset contracts

/**
 * Parses and validates a dataset contract. `file` is used in error messages only. With `location`
 * (the department directory and file name it was found under), `department` and `name` must match them.
 * Throws a ContractError listing every problem.
 */
export function parseContract(text: string, file: string, location: ContractLocation = {}): DatasetContract {
  const result = validate(text, file, datasetSchema, 'a dataset contract');
  const issues = result.ok ? [] : result.issues;
  const parsed = result.parsed;
  if (parsed && isRecord(parsed.data)) {
    const raw = parsed.data;
    const mismatch = (key: 'department' | 'name', expected: string | undefined, where: string) => {
      const actual = raw[key];
      if (expected === undefined || typeof actual !== 'string' || actual === expected) return;
      issues.push({
        file,
        ...locate(parsed, [key]),
        key,
        message: `${key} "${actual}" does not match ${where}; they must be the same`,
      });
    };
    mismatch('department', location.department, `the directory "${location.department}" the file is in`);
    mismatch('name', location.name, `the file name "${basename(file)}"`);
  }
  if (!result.ok || issues.length > 0 || !parsed) throw new ContractError(issues, CONTRACT_ADVICE);
  const contract = result.value;
  contractSources.set(contract, {
    file,
    department: locate(parsed, ['department']),
    name: locate(parsed, ['name']),
  });
  return contract;
}

function isYamlFile(name: string): boolean {
  return YAML_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** The department and name a contract at `path` must have, when it sits in `datasets/<department>/`. */
function locationOf(path: string): ContractLocation {
  const dir = dirname(path);
  if (basename(dirname(dir)) !== 'datasets') return {};
  return { department: basename(dir), name: basename(path, extname(path)) };
}

/**
 * Loads one contract file. When the file is at `datasets/<department>/<dataset>.yaml`, its department and
 * name must match the directory and file name.
 */
export function loadContract(path: string): DatasetContract {
  return parseContract(readFileSync(path, 'utf8'), path, locationOf(path));
}

/**
 * Loads every contract under `dir`, laid out as `<dir>/<department>/<dataset>.yaml` (or `.yml`), keyed
 * `department/name`. Problems in all files are collected and thrown as one ContractError.
 */
export function loadDatasets(dir: string): Map<string, DatasetContract> {
  const datasets = new Map<string, DatasetContract>();
  const issues: ContractIssue[] = [];
  const entries = (d: string) =>
    readdirSync(d)
      .filter((n) => !n.startsWith('.'))
      .sort();
  for (const department of entries(dir)) {
    const departmentDir = join(dir, department);
    if (!statSync(departmentDir).isDirectory()) {
      if (isYamlFile(department)) {
        issues.push({
          file: departmentDir,
          line: 1,
          column: 1,
          key: '(file)',
          message: `contracts live in ${join(dir, '<department>', '<dataset>.yaml')}; move this file into its department's directory`,
        });
      }
      continue;
    }
    for (const name of entries(departmentDir)) {
      const file = join(departmentDir, name);
      if (!isYamlFile(name) || !statSync(file).isFile()) continue;
      let contract: DatasetContract;
      try {
        contract = parseContract(readFileSync(file, 'utf8'), file, {
          department,
          name: basename(name, extname(name)),
        });
      } catch (e) {
        if (!(e instanceof ContractError)) throw e;
        issues.push(...e.issues);
        continue;
      }
      const key = `${contract.department}/${contract.name}`;
      const other = datasets.get(key);
      if (other) {
        const position = contractSources.get(contract)?.name ?? { line: 1, column: 1 };
        issues.push({
          file,
          ...position,
          key: 'name',
          message: `dataset "${key}" is also defined in ${contractFile(other)}; keep one of the two files`,
        });
        continue;
      }
      datasets.set(key, contract);
    }
  }
  if (issues.length > 0) throw new ContractError(issues, CONTRACT_ADVICE);
  return datasets;
}

// ---------------------------------------------------------------------------------------------------------
// Departments

/** Parses and validates departments.yaml text (ids must be unique). Throws a ContractError listing every problem. */
export function parseDepartments(text: string, file: string): Department[] {
  const result = validate(text, file, departmentsFileSchema, 'departments.yaml');
  if (!result.ok) throw new ContractError(result.issues, DEPARTMENTS_ADVICE);
  const departments = result.value.departments;
  departmentSources.set(departments, file);
  return departments;
}

/** Loads departments.yaml. */
export function loadDepartments(path: string): Department[] {
  return parseDepartments(readFileSync(path, 'utf8'), path);
}

/** Throws a ContractError naming each contract file whose department is not declared in departments.yaml. */
export function checkDatasetsAgainstDepartments(
  datasets: ReadonlyMap<string, DatasetContract>,
  departments: readonly Department[],
): void {
  const declared = new Set(departments.map((d) => d.id));
  const departmentsFile = departmentSources.get(departments) ?? 'departments.yaml';
  const issues: ContractIssue[] = [];
  for (const [key, contract] of datasets) {
    if (declared.has(contract.department)) continue;
    const source = contractSources.get(contract);
    issues.push({
      file: source?.file ?? key,
      ...(source?.department ?? { line: 1, column: 1 }),
      key: 'department',
      message: `department "${contract.department}" is not declared in ${departmentsFile}; declared: ${[...declared].join(', ')}`,
    });
  }
  if (issues.length > 0) throw new ContractError(issues, UNDECLARED_ADVICE);
}

// ---------------------------------------------------------------------------------------------------------
// Hash

function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * sha256 (hex) of the parsed contract as canonical JSON (keys sorted, defaults applied), so reformatting
 * the YAML, reordering keys or editing comments leaves it unchanged while any change of meaning changes it.
 */
export function contractHash(contract: DatasetContract): string {
  return createHash('sha256').update(canonicalJson(contract)).digest('hex');
}
