/** One-step quick inputs for the Cloud commands (answerable from the in-editor tests through MultiStep). */
import * as vscode from 'vscode';
import { MultiStep, isButton } from '../input';

export function askText(
  title: string,
  prompt: string,
  value: string,
  validate: (v: string) => string | undefined = (v) => (v.trim() ? undefined : 'Required.'),
  password = false,
): Promise<string | undefined> {
  let out: string | undefined;
  return MultiStep.run(
    [
      async (input) => {
        const r = await input.box({ title, step: 1, totalSteps: 1, prompt, value, validate, password });
        if (!isButton(r)) out = r.trim();
      },
    ],
    () => out,
  );
}

export function askPick<T extends vscode.QuickPickItem>(title: string, placeholder: string, items: T[]): Promise<T | undefined> {
  let out: T | undefined;
  return MultiStep.run(
    [
      async (input) => {
        const r = await input.pick({ title, step: 1, totalSteps: 1, placeholder, items });
        if (!isButton(r)) out = r as T;
      },
    ],
    () => out,
  );
}
