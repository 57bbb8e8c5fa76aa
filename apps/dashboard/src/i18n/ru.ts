import type { Dictionary } from './en.ts';
import { en } from './en.ts';

export const ru: Dictionary = { ...en };
