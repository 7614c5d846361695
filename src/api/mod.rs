//! The HTTP surface: app wiring, extractors, pagination, middleware, ops endpoints and the
//! OpenAPI document collected from the handlers.

pub mod extract;
pub mod metrics;
pub mod middleware;
pub mod ops;
pub mod paging;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpRequest, web};
use tracing_actix_web::TracingLogger;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::state::AppState;
use middleware::RequestContext;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "议事 Yishi API",
        description = "Community consultation (说议筹办评): accounts, places, organisations and role grants. Errors are RFC 9457 problem+json with a stable `code`; messages in zh-CN (default) or en by Accept-Language.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "places", description = "The place tree 市 > 区 > 街道 > 社区 > 网格 > 楼栋"),
        (name = "organizations", description = "Property firms, departments, owners' committees, social organisations"),
        (name = "users", description = "Admin: users and role grants"),
        (name = "topics", description = "Topics 议题 and the five steps 说议筹办评"),
        (name = "plans", description = "Plans 筹, tasks 办, public notice 公示 with objections, evaluation 评"),
        (name = "consultations", description = "Consultations 协商会: meetings, agendas, invitations, outcomes, minutes, calendars"),
        (name = "public", description = "Anonymous read-only catalog 议事目录 and topic pages"),
        (name = "ops", description = "Health, readiness, metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

fn api_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(crate::accounts::routes::configure)
        .configure(crate::accounts::users::configure)
        .configure(crate::places::routes::configure)
        .configure(crate::topics::routes::configure)
        .configure(crate::public::routes::configure)
        .configure(crate::consultations::routes::configure);
}

fn with_routes<T>(app: App<T>) -> (App<T>, OpenApiDoc)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(api_routes))
        .service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .split_for_parts()
}

/// The OpenAPI 3.1 document, generated from the handlers.
pub fn openapi() -> OpenApiDoc {
    with_routes(App::new()).1
}

async fn not_found(_: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound("route.not_found"))
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
    let base = App::new()
        .app_data(state)
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(web::PathConfig::default().error_handler(|err, _| {
            ApiError::BadRequest {
                code: "request.invalid_path",
                field: None,
                detail: err.to_string(),
            }
            .into()
        }));
    let (app, _) = with_routes(base);
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/api/openapi.json", doc))
        .default_service(web::to(not_found))
        .wrap_fn(|req, srv| {
            let ctx = RequestContext::capture(&req);
            let fut = srv.call(req);
            async move { ctx.finish(fut.await?) }
        })
        .wrap(TracingLogger::default())
}
