/**
 * Attention when something needs an agent: a short chime made with Web Audio (no audio files) and a
 * browser notification, both only while the tab is in the background.
 */
let audio: AudioContext | null = null;

/** Browsers start audio only after a user gesture; the first click or key press unlocks it. */
function unlock(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    audio = null;
  }
}
for (const type of ['pointerdown', 'keydown'] as const) {
  window.addEventListener(type, unlock, { passive: true });
}

export function tabInBackground(): boolean {
  return document.visibilityState === 'hidden' || !document.hasFocus();
}

/** Two soft rising notes, about a quarter of a second. */
export function playChime(): void {
  const context = audio;
  if (context?.state !== 'running') return;
  const now = context.currentTime;
  for (const [index, frequency] of [660, 990].entries()) {
    const start = now + index * 0.11;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.18, start + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.22);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.25);
  }
}

export function notificationPermission(): NotificationPermission | 'unsupported' {
  return 'Notification' in window ? Notification.permission : 'unsupported';
}

export async function requestNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!('Notification' in window)) return 'unsupported';
  return Notification.requestPermission();
}

/** Shows a system notification; clicking it focuses the tab and runs `onClick`. Text is plain text. */
export function showBrowserNotification(title: string, body: string, tag: string, onClick: () => void): void {
  if (notificationPermission() !== 'granted') return;
  try {
    const notification = new Notification(title, { body, tag, silent: true });
    notification.onclick = () => {
      window.focus();
      onClick();
      notification.close();
    };
  } catch {
    // Some browsers allow notifications only from a service worker; the toast and sound remain.
  }
}
