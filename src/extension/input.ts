import * as vscode from 'vscode';

const CANCELLED = Symbol('cancelled');
/** Throw from a step to end the whole input quietly (e.g. a dialog was dismissed). */
export const CANCEL = CANCELLED;

/** Raised when the user presses Back in a step. */
class BackSignal extends Error {}

type ShownInput = vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox;
/** The quick input now on screen (the editor shows one at a time), set only by MultiStep. */
let shown: ShownInput | undefined;
/** The quick input now on screen: exposed to the in-editor tests, which answer it like a person would. */
export function activeInput(): ShownInput | undefined {
  return shown;
}
const shownEmitter = new vscode.EventEmitter<ShownInput>();
export const onDidShowInput = shownEmitter.event;

export interface Step {
  title: string;
  step: number;
  totalSteps: number;
}

export interface PickOptions<T extends vscode.QuickPickItem> extends Step {
  placeholder: string;
  items: T[];
  buttons?: vscode.QuickInputButton[];
}

export interface BoxOptions extends Step {
  prompt: string;
  value?: string;
  placeholder?: string;
  validate: (value: string) => string | undefined;
  buttons?: vscode.QuickInputButton[];
  /** Hide what is typed (an API key). */
  password?: boolean;
}

/**
 * Multi-step input with Back buttons and step counters (after vscode-extension-samples'
 * quickinput sample). Each step returns a value or throws BackSignal; `run` re-runs the
 * previous step on Back and resolves undefined when the user cancels.
 */
export class MultiStep {
  private current?: vscode.QuickInput;

  static async run<T>(steps: ((input: MultiStep) => Promise<void>)[], result: () => T): Promise<T | undefined> {
    const input = new MultiStep();
    let i = 0;
    while (i < steps.length) {
      try {
        await steps[i](input);
        i++;
      } catch (err) {
        if (err instanceof BackSignal) i = Math.max(0, i - 1);
        else if (err === CANCELLED) {
          input.current?.dispose();
          shown = undefined;
          return undefined;
        } else throw err;
      }
    }
    input.current?.dispose();
    shown = undefined;
    return result();
  }

  private show<Q extends vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox>(q: Q): void {
    this.current?.dispose();
    this.current = q;
    q.show();
    shown = q;
    shownEmitter.fire(q);
  }

  pick<T extends vscode.QuickPickItem>(o: PickOptions<T>): Promise<T | vscode.QuickInputButton> {
    const q = vscode.window.createQuickPick<T>();
    q.title = o.title;
    q.step = o.step;
    q.totalSteps = o.totalSteps;
    q.placeholder = o.placeholder;
    q.items = o.items;
    q.ignoreFocusOut = true;
    q.buttons = [...(o.step > 1 ? [vscode.QuickInputButtons.Back] : []), ...(o.buttons ?? [])];
    return new Promise((resolve, reject) => {
      const subs = [
        q.onDidTriggerButton((b) => finish(() => (b === vscode.QuickInputButtons.Back ? reject(new BackSignal()) : resolve(b)))),
        q.onDidAccept(() => {
          const sel = q.selectedItems[0] ?? q.activeItems[0];
          if (sel) finish(() => resolve(sel));
        }),
        q.onDidHide(() => finish(() => reject(CANCELLED))),
      ];
      const finish = (f: () => void) => {
        subs.forEach((x) => x.dispose());
        f();
      };
      this.show(q as unknown as vscode.QuickPick<vscode.QuickPickItem>);
    });
  }

  box(o: BoxOptions): Promise<string | vscode.QuickInputButton> {
    const b = vscode.window.createInputBox();
    b.title = o.title;
    b.step = o.step;
    b.totalSteps = o.totalSteps;
    b.prompt = o.prompt;
    b.value = o.value ?? '';
    b.placeholder = o.placeholder;
    b.password = !!o.password;
    b.ignoreFocusOut = true;
    b.buttons = [...(o.step > 1 ? [vscode.QuickInputButtons.Back] : []), ...(o.buttons ?? [])];
    const validate = () => {
      b.validationMessage = o.validate(b.value);
    };
    validate();
    return new Promise((resolve, reject) => {
      const subs = [
        b.onDidChangeValue(validate),
        b.onDidTriggerButton((btn) => finish(() => (btn === vscode.QuickInputButtons.Back ? reject(new BackSignal()) : resolve(btn)))),
        b.onDidAccept(() => {
          const problem = o.validate(b.value);
          b.validationMessage = problem;
          if (!problem) finish(() => resolve(b.value));
        }),
        b.onDidHide(() => finish(() => reject(CANCELLED))),
      ];
      const finish = (f: () => void) => {
        subs.forEach((s) => s.dispose());
        f();
      };
      this.show(b);
    });
  }
}

export function isButton(v: unknown): v is vscode.QuickInputButton {
  return typeof v === 'object' && v !== null && 'iconPath' in v;
}
