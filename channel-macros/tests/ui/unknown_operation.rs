use junction::{select, unbounded};

fn main() {
    let (_s, r) = unbounded::<i32>();
    select! {
        receive(r) -> msg => println!("{msg:?}"),
    }
}
