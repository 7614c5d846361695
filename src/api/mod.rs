//! The HTTP surface: app wiring, extractors, pagination, middleware, ops endpoints and the
//! OpenAPI document collected from the handlers.

pub mod extract;
pub mod methods;
pub mod metrics;
pub mod middleware;
mod openapi;
pub mod ops;
pub mod paging;
pub mod respond;
pub mod text;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpRequest, web};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::state::AppState;
use middleware::RequestContext;
use openapi::ApiDoc;

fn api_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(crate::accounts::routes::configure)
        .configure(crate::accounts::users::configure)
        .configure(crate::places::routes::configure)
        .configure(crate::topics::routes::configure)
        .configure(crate::public::routes::configure)
        .configure(crate::public::stats::routes::configure)
        .configure(crate::opendata::routes::configure)
        .configure(crate::consultations::routes::configure)
        .configure(crate::attachments::routes::configure)
        .configure(crate::notifications::routes::configure)
        .configure(crate::notifications::webhooks::routes::configure)
        .configure(crate::interop::open311::routes::configure_clients);
}

fn with_routes<T>(app: App<T>) -> (App<T>, OpenApiDoc)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(api_routes))
        .service(
            utoipa_actix_web::scope("/open311/v2")
                .configure(crate::interop::open311::routes::configure),
        )
        .service(ops::get_health)
        .service(ops::get_readiness)
        .service(ops::get_metrics)
        .split_for_parts()
}

/// The OpenAPI 3.1 document, generated from the handlers.
pub fn openapi() -> OpenApiDoc {
    openapi::fixup(with_routes(App::new()).1)
}

/// `/docs` is where people type; the UI lives under `/docs/`.
async fn docs_slash() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

/// Whatever no route took: under /api and on the documented paths (`/healthz`, …) a problem
/// document, elsewhere an HTML page.
async fn unrouted(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    let documented = req
        .app_data::<web::Data<methods::KnownPaths>>()
        .is_some_and(|known| known.allowed(req.path()).is_some());
    if req.path().starts_with("/api/") || documented {
        not_found(req).await
    } else {
        Ok(crate::web::errors::not_found(req).await)
    }
}

/// 405 on a known API path (another method), else 404.
async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    let allow = req
        .app_data::<web::Data<methods::KnownPaths>>()
        .and_then(|known| known.allowed(req.path()).map(str::to_string));
    Err(match allow {
        Some(allow) => ApiError::MethodNotAllowed { allow },
        None => ApiError::NotFound("route.not_found"),
    })
}

/// The whole application for one worker: routes, docs, extractor limits, middleware.
pub fn app(
    state: web::Data<AppState>,
    doc: OpenApiDoc,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_body = state.settings.server.max_body_bytes;
    let known = web::Data::new(methods::KnownPaths::from_doc(&doc));
    let base = App::new()
        .app_data(state)
        .app_data(known)
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(web::PathConfig::default().error_handler(|err, req| {
            // `PATCH /consultations/free-slots` reaches `/consultations/{id}`: that path has
            // no PATCH, which is what to say, rather than that "free-slots" is no id.
            let known = req.app_data::<web::Data<methods::KnownPaths>>();
            match known.and_then(|k| k.allowed(req.path())) {
                Some(allow) if !allow.split(", ").any(|m| m == req.method().as_str()) => {
                    ApiError::MethodNotAllowed {
                        allow: allow.to_string(),
                    }
                }
                _ => ApiError::BadRequest {
                    code: "request.invalid_path",
                    field: None,
                    detail: err.to_string(),
                },
            }
            .into()
        }));
    let (app, _) = with_routes(base);
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/api/openapi.json", doc))
        .route("/docs", web::get().to(docs_slash))
        .configure(crate::web::configure)
        .default_service(web::to(unrouted))
        .wrap_fn(|mut req, srv| {
            extract::normalize_path(&mut req);
            let ctx = RequestContext::capture(&req);
            // Pages take cookies, so an unsafe request from another site stops here.
            let step = if crate::web::csrf::refuses(&req) {
                Ok(crate::web::csrf::refusal(req))
            } else {
                Err(srv.call(req))
            };
            async move {
                let (res, statements) = crate::db::statements::count_request(async move {
                    match step {
                        Ok(res) => Ok(res),
                        Err(call) => call.await.map(ServiceResponse::map_into_boxed_body),
                    }
                })
                .await;
                ctx.finish(crate::web::errors::render(res?), statements)
            }
        })
        .wrap(TracingLogger::default())
}
