/** Rule documentation (rationale, fix, bad and good example) by rule id; `docs/rules/*.md` is generated from it. */
import { RuleDocs } from '../types';
import { OBJECT_DOCS } from './objects';
import { PLACEMENT_DOCS } from './placement';
import { POD_DOCS } from './pods';
import { RUNTIME_DOCS } from './runtime';
import { SCALING_DOCS } from './scaling';

export const RULE_DOCS: Readonly<Record<string, RuleDocs>> = { ...POD_DOCS, ...PLACEMENT_DOCS, ...OBJECT_DOCS, ...SCALING_DOCS, ...RUNTIME_DOCS };
