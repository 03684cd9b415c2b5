/** Where a client CA rotation stands, per cluster, in globalState: the wizard resumes from it and the tree shows it. */
import type * as vscode from 'vscode';

export const ROTATION_STEPS = [
  'choose the new client CA',
  'add it to the cluster',
  'issue client certificates from it',
  'test a connection',
  'remove the old CA',
] as const;

export interface RotationState {
  clusterId: string;
  name: string;
  /** The next step to run, 1-based (ROTATION_STEPS). */
  step: number;
  certsDir?: string;
  caKey?: string;
  /** The file uploaded (ca-client.crt of certsDir). */
  caCert?: string;
  newFingerprints?: string[];
  oldFingerprints?: string[];
  users?: string[];
}

const KEY = 'cockroachTls.cloud.rotations';

export class RotationStore {
  constructor(
    private readonly memento: vscode.Memento,
    private readonly changed: () => void,
  ) {}

  private all(): Record<string, RotationState> {
    return this.memento.get<Record<string, RotationState>>(KEY) ?? {};
  }

  get(clusterId: string): RotationState | undefined {
    return this.all()[clusterId];
  }

  async save(s: RotationState): Promise<void> {
    await this.memento.update(KEY, { ...this.all(), [s.clusterId]: s });
    this.changed();
  }

  async clear(clusterId: string): Promise<void> {
    const all = this.all();
    delete all[clusterId];
    await this.memento.update(KEY, all);
    this.changed();
  }
}
