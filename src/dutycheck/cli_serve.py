"""`dutycheck serve`: the local web workbench. Only click and the standard library at module
level (the cold start of `dutycheck audit` imports cli.py); Flask and waitress load when
the command runs."""

from __future__ import annotations

import click

from .errors import DutycheckError


@click.command()
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="SQLite 结果库，默认在用户数据文件夹中 (the store; default: per-user data folder)")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="端口；0 表示任选一个空闲端口 (port; 0 picks a free one)")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；非本机地址必须同时设置 --password (listen address)")
@click.option("--password", envvar="DUTYCHECK_PASSWORD", default=None,
              help="访问密码，也可用环境变量 DUTYCHECK_PASSWORD (password; required with --host)")
@click.option("--open", "open_browser", is_flag=True, help="启动后打开浏览器 (open the browser)")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="后台审查的并行进程数，默认使用全部核心 (worker processes for auditing)")
def serve(db: str | None, port: int, host: str, password: str | None, open_browser: bool,
          jobs: int | None) -> None:
    """启动本机网页审查工作台 (start the local web workbench).

    在浏览器中新建审查任务、拖入报告、查看审查进度、逐份阅读证据并更正状态、下载结果。
    默认只在本机（127.0.0.1）可访问；按 Ctrl+C 停止，未审查完的文件下次启动后继续。

    \b
    Examples:
        dutycheck serve --open
        dutycheck serve --db 审查结果.sqlite --port 8800
        DUTYCHECK_PASSWORD=… dutycheck serve --host 0.0.0.0
    """
    from .cli import CLIError, fail
    from .web.app import create_app, is_loopback
    from .web.tasks import default_db

    if not is_loopback(host) and not password:
        raise CLIError("监听非本机地址（--host）时必须设置 --password 或环境变量 DUTYCHECK_PASSWORD "
                       "(--host other than loopback needs a password)")
    db_path = db or str(default_db())
    try:
        app = create_app(db_path, password=password, host=host, jobs=jobs)
    except DutycheckError as exc:
        raise fail(exc) from None
    from .web.server import make_server, url_of

    try:
        server = make_server(app, host, port)
    except OSError as exc:
        app.extensions["dutycheck"]["auditor"].stop()
        raise CLIError(f"无法监听 {host}:{port}：{exc.strerror}（端口可能已被占用，可换 --port） "
                       f"(cannot listen)") from None
    url = url_of(server, host)
    click.echo(f"dutycheck 审查工作台已启动：{url}")
    click.echo(f"数据库：{db_path}")
    if not is_loopback(host):
        click.echo("注意：服务对其他电脑开放。报告可能涉密，请只在可信网络中使用，用完按 Ctrl+C 关闭。", err=True)
    click.echo("按 Ctrl+C 停止。")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["dutycheck"]["auditor"].stop()
        server.close()
        click.echo("已停止。未审查完的文件会在下次启动后继续。")
