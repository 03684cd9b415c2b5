import * as vscode from 'vscode';
import { SECTION, SettingGroup, SettingKey, Settings } from './settings';

/** The settings for a resource (a document's folder) or the window. */
export function settings(scope?: vscode.ConfigurationScope): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  return new Settings((key) => cfg.get(key));
}

/** Whether a configuration change touches our settings: all of them, one group or one setting. */
export function affects(e: vscode.ConfigurationChangeEvent, key?: SettingKey | SettingGroup): boolean {
  return e.affectsConfiguration(key ? `${SECTION}.${key}` : SECTION);
}

/** Writes a setting: in the workspace when a folder is open, else for the user. */
export async function updateSetting(key: SettingKey, value: unknown): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update(key, value, target);
}
