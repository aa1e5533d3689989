"""Site templates of the French, Russian and Arabic papers of the evaluation set."""

from __future__ import annotations

from bench.evalset.common import Article, body_html, charset_meta, esc, og_meta, rotate


def _head(art: Article, title: str, extra: str = "", direction: str = "ltr") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{art.site["lang"]}" dir="{direction}">\n<head>\n'
        f"{charset_meta(art)}\n<title>{esc(title)}</title>\n{extra}\n"
        f'<meta name="author" content="{esc(art.author)}">\n</head>\n'
    )


# ------------------------------------------------------------------- L'Écho des Vallées

EV_COOKIE = (
    "Nous utilisons des cookies pour mesurer l'audience, vous proposer des contenus adaptés et "
    "des publicités personnalisées. Vous pouvez modifier vos choix à tout moment."
)
EV_OFFER = "Offre spéciale : abonnez-vous à L'Écho des Vallées pour 1 € le premier mois."
EV_MOST_READ = [
    "Les horaires d'été des déchetteries",
    "Un nouveau boulanger s'installe à Meyrac",
    "Travaux sur la départementale 12 : les déviations",
    "Marché de producteurs : le programme de l'été",
    "Le collège Jean-Moulin fête ses 50 ans",
]


def echo(art: Article, others: list[Article]) -> str:
    """French regional: cookie consent, "Lire aussi" links, subscription offer, reactions."""
    site = art.site
    also = rotate(others, art.number, 1)[0]
    inserts = {
        1: f'<p class="lire-aussi"><span>Lire aussi :</span> <a href="{esc(also.url)}">'
        f"{esc(also.title)}</a></p>"
    }
    reactions = "".join(
        f'<div class="reaction"><span class="pseudo">{esc(n)}</span><p>{esc(t)}</p>'
        "<a>Répondre</a> <a>Signaler un abus</a></div>"
        for n, t in art.comments
    )
    most = "".join(f"<li>{esc(t)}</li>" for t in rotate(EV_MOST_READ, art.number, 4))
    figure = (
        f'<figure><img src="/photos/une.jpg" alt=""><figcaption>{esc(art.caption)}</figcaption>'
        "</figure>\n"
        if art.caption
        else ""
    )
    return (
        _head(art, f"{art.title} - {site['name']}", og_meta(art, site["name"])) + "<body>\n"
        f'<div class="bandeau-cookies"><p>{esc(EV_COOKIE)}</p><button>Accepter</button> '
        "<button>Paramétrer</button> <button>Continuer sans accepter</button></div>\n"
        '<div class="entete"><a class="logo">L\'Écho des Vallées</a><ul class="rubriques">'
        "<li>Actualité</li><li>Économie</li><li>Sport</li><li>Culture</li><li>Annonces</li>"
        "</ul></div>\n"
        '<div class="contenu"><div class="article">\n'
        f'<p class="surtitre">{esc(art.section)}</p><h1>{esc(art.title)}</h1>\n'
        + (
            f'<p class="chapo"><strong>{esc(art.standfirst)}</strong></p>\n'
            if art.standfirst
            else ""
        )
        + f'<p class="signature">Par {esc(art.author)} — Publié le '
        f"{art.published:%d/%m/%Y} à {art.published:%Hh%M}</p>\n"
        + figure
        + '<div class="texte">\n'
        + "\n".join(body_html(art, inserts))
        + "\n</div>\n"
        f'<div class="offre"><p>{esc(EV_OFFER)}</p><a>Je m\'abonne</a></div>\n'
        f'<div class="reactions"><h3>Réagissez ({len(art.comments)})</h3>'
        "<p>Vous devez être connecté pour réagir.</p>"
        f"{reactions}</div>\n"
        "</div>\n"
        f'<div class="colonne"><h3>Les plus lus</h3><ol>{most}</ol></div></div>\n'
        '<div class="pied"><a>Mentions légales</a> <a>Données personnelles</a> '
        "<a>Gestion des cookies</a> <p>© L'Écho des Vallées 2024 — Reproduction interdite</p>"
        "</div>\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------- «Северный курьер»

SK_WEATHER = [
    "Погода в Северогорске: −12°, снег",
    "Погода в Северогорске: +4°, дождь",
    "Погода в Северогорске: +19°, ясно",
]
SK_SUBSCRIBE = "Подпишитесь на наш канал в мессенджере, чтобы первыми узнавать главные новости."
SK_POPULAR = [
    "Где в городе отключат горячую воду на следующей неделе",
    "В Заречном открылась новая библиотека",
    "Автобус № 7 изменит маршрут",
    "Цены на продукты: что подорожало за месяц",
    "Выпускники школ сдали экзамены лучше прошлого года",
]


def kurier(art: Article, others: list[Article]) -> str:
    """Russian regional: weather widget, "Читайте также" links, channel promo, comments."""
    site = art.site
    also = rotate(others, art.number, 1)[0]
    inserts = {
        1: f'<div class="read-also"><b>Читайте также:</b> <a href="{esc(also.url)}">'
        f"{esc(also.title)}</a></div>"
    }
    comments = "".join(
        f'<div class="comment"><div class="c-author">{esc(n)}</div><div class="c-text">{esc(t)}'
        "</div></div>"
        for n, t in art.comments
    )
    popular = "".join(f"<li><a>{esc(t)}</a></li>" for t in rotate(SK_POPULAR, art.number, 4))
    caption = f'<div class="photo-caption">{esc(art.caption)}</div>' if art.caption else ""
    return (
        _head(art, f"{art.title} | {site['name']}", og_meta(art, site["name"])) + "<body>\n"
        f'<div class="top-line"><span class="weather">{SK_WEATHER[art.number % 3]}</span> '
        '<span class="age">16+</span></div>\n'
        '<div class="header"><a class="logo">Северный курьер</a> <a>Новости</a> <a>Город</a> '
        "<a>Экономика</a> <a>Культура</a> <a>Спорт</a></div>\n"
        '<div class="main"><div class="news-item">\n'
        f'<h1 class="news-title">{esc(art.title)}</h1>\n'
        f'<div class="news-info">{art.published:%d.%m.%Y %H:%M} · {esc(art.author)} · '
        f"{esc(art.section)}</div>\n"
        f'<div class="photo"><img src="/upload/photo.jpg">{caption}</div>\n'
        '<div class="news-text">\n' + "\n".join(body_html(art, inserts)) + "\n</div>\n"
        f'<div class="promo"><p>{esc(SK_SUBSCRIBE)}</p></div>\n'
        f'<div class="comments"><h3>Комментарии ({len(art.comments)})</h3>{comments}'
        '<p class="c-rules">Оставлять комментарии могут только зарегистрированные пользователи.'
        "</p></div>\n</div>\n"
        f'<div class="aside"><h3>Самое читаемое</h3><ul>{popular}</ul></div></div>\n'
        '<div class="footer"><p>© 2024 «Северный курьер». Все права защищены. При '
        "использовании материалов ссылка на сайт обязательна.</p></div>\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------- الواحة نيوز

AW_NEWSLETTER = "اشترك في النشرة البريدية ليصلك ملخص أهم الأخبار كل صباح."
AW_MOST_READ = [
    "ارتفاع أسعار الذهب في الأسواق المحلية",
    "افتتاح طريق جديد يربط العاصمة بالمطار",
    "نتائج امتحانات الثانوية العامة الأسبوع المقبل",
    "مهرجان التمور يعود في دورته العاشرة",
    "تحذير من ارتفاع درجات الحرارة غدا",
]


def alwaha(art: Article, others: list[Article]) -> str:
    """Arabic news site (right to left): "اقرأ أيضا" links, most-read list, newsletter, comments."""
    site = art.site
    also = rotate(others, art.number, 1)[0]
    inserts = {
        1: f'<p class="read-also"><strong>اقرأ أيضا:</strong> <a href="{esc(also.url)}">'
        f"{esc(also.title)}</a></p>"
    }
    comments = "".join(
        f'<li><span class="name">{esc(n)}</span><p>{esc(t)}</p></li>' for n, t in art.comments
    )
    most = "".join(f"<li><a>{esc(t)}</a></li>" for t in rotate(AW_MOST_READ, art.number, 4))
    caption = f"<figcaption>{esc(art.caption)}</figcaption>" if art.caption else ""
    return (
        _head(art, f"{art.title} - {site['name']}", og_meta(art, site["name"]), "rtl") + "<body>\n"
        '<header class="hdr"><a class="logo">الواحة نيوز</a><nav><a>الرئيسية</a> <a>محليات</a> '
        "<a>اقتصاد</a> <a>رياضة</a> <a>ثقافة</a> <a>صحة</a></nav></header>\n"
        '<div class="container"><div class="article-col">\n'
        f'<span class="cat">{esc(art.section)}</span><h1>{esc(art.title)}</h1>\n'
        f'<div class="meta"><span class="writer">{esc(art.author)}</span> '
        f'<span class="date">{art.published:%Y-%m-%d %H:%M}</span></div>\n'
        f'<figure><img src="/media/main.jpg">{caption}</figure>\n'
        '<div class="article-text">\n' + "\n".join(body_html(art, inserts)) + "\n</div>\n"
        f'<div class="newsletter"><p>{esc(AW_NEWSLETTER)}</p><button>اشترك</button></div>\n'
        f'<div class="comments"><h3>التعليقات ({len(art.comments)})</h3><ul>{comments}</ul>'
        "<p>أضف تعليقك</p></div>\n</div>\n"
        f"<aside><h3>الأكثر قراءة</h3><ol>{most}</ol></aside></div>\n"
        "<footer><p>جميع الحقوق محفوظة © الواحة نيوز 2024</p></footer>\n</body>\n</html>\n"
    )
